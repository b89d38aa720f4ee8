import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newService } from '../src/newService.js';

/** A repository with one service, `demo`, carrying what packaging, pnpm dev and tests leave in a service folder. */
function repoWithUsedService(): string {
  const root = mkdtempSync(join(tmpdir(), 'new-service-left-out-'));
  const service = join(root, 'services', 'demo');
  const files: Record<string, string> = {
    'serverless.yml': 'service: demo\nprovider:\n  name: aws\n',
    'src/handlers/hello.ts': "export const hello = async () => 'demo';\n",
    '.serverless/cloudformation-template-update-stack.json': '{}',
    '.serverless-qa/cloudformation-template-update-stack.json': '{}',
    '.serverless.kept/serverless-state.json': '{}',
    '.serverless.lock': JSON.stringify({ pid: process.pid, host: 'here', since: 'now', what: 'osls package' }),
    '.esbuild/package/.build/src/handlers/hello.cjs': '',
    '.local/data.json': '{}',
    'test-results/jest.json': '{}',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(service, path, '..'), { recursive: true });
    writeFileSync(join(service, path), text);
  }
  return root;
}

describe('Command: pnpm new-service, what a fork leaves out', () => {
  let root: string;

  beforeAll(() => {
    root = repoWithUsedService();
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('copies sources only: no package of any stage, no packaging lock, no build or local data', () => {
    // Act
    const { dir } = newService({ repoRoot: root, name: 'orders', from: 'demo', install: false });

    // Assess
    expect(readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()).toEqual([
      'serverless.yml',
      'src',
      'src/handlers',
      'src/handlers/hello.ts',
    ]);
  });
});
