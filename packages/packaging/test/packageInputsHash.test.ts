import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageInputsHash, workspaceRoot } from '../src/index.js';

/**
 * A pnpm workspace as pnpm lays it out: osls installed at the root AND linked into the service's own
 * node_modules (the service depends on it), the shared bundling config at the root.
 */
function workspace(): { root: string; service: string } {
  const root = mkdtempSync(join(tmpdir(), 'inputs-hash-'));
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('pnpm-workspace.yaml', "packages:\n  - 'services/*'\n");
  write('node_modules/osls/bin/serverless.js', '');
  write('esbuild.config.cjs', 'module.exports = () => ({ minify: true });\n');
  write('serverless.shared.yml', 'esbuild: {}\n');
  write('packages/common/src/index.ts', 'export const one = 1;\n');
  write('services/orders/serverless.yml', 'service: orders\n');
  write('services/orders/src/handler.ts', 'export const handler = async () => 1;\n');
  write('services/orders/node_modules/osls/bin/serverless.js', '');
  return { root, service: join(root, 'services', 'orders') };
}

describe('packageInputsHash: what decides that a service is packaged again', () => {
  let root: string;
  let service: string;

  beforeEach(() => {
    ({ root, service } = workspace());
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads the shared inputs from the workspace root, not from the service that has osls installed too', () => {
    expect(workspaceRoot(service)).toBe(root);
  });

  it.each([
    ['the shared esbuild config', 'esbuild.config.cjs'],
    ['the shared serverless fragment', 'serverless.shared.yml'],
    ['@blueprints/common', 'packages/common/src/index.ts'],
    ["the service's own code", 'services/orders/src/handler.ts'],
  ])('changes when %s changes', (_what, file) => {
    // Prepare
    const before = packageInputsHash(service);

    // Act
    writeFileSync(join(root, file), '// changed\n', { flag: 'a' });

    // Assess
    expect(packageInputsHash(service)).not.toBe(before);
  });

  it('stays the same for a touch that changes no byte, and for what is installed in node_modules', () => {
    // Prepare
    const before = packageInputsHash(service);

    // Act
    utimesSync(join(root, 'esbuild.config.cjs'), new Date(), new Date(Date.now() + 60_000));
    writeFileSync(join(service, 'node_modules', 'osls', 'bin', 'serverless.js'), '// another version\n');

    // Assess
    expect(packageInputsHash(service)).toBe(before);
  });

  it('takes a standalone project (no workspace above it) as its own root', () => {
    // Prepare: the service alone, osls installed beside it
    const alone = mkdtempSync(join(tmpdir(), 'inputs-hash-alone-'));
    mkdirSync(join(alone, 'node_modules', 'osls', 'bin'), { recursive: true });
    writeFileSync(join(alone, 'node_modules', 'osls', 'bin', 'serverless.js'), '');
    writeFileSync(join(alone, 'esbuild.config.cjs'), 'module.exports = () => ({});\n');

    try {
      // Act
      const before = packageInputsHash(alone);
      writeFileSync(join(alone, 'esbuild.config.cjs'), 'module.exports = () => ({ minify: true });\n');

      // Assess
      expect(workspaceRoot(alone)).toBe(alone);
      expect(packageInputsHash(alone)).not.toBe(before);
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });
});
