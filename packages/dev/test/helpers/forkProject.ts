import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { REPO_ROOT } from './devProcess.js';

const NOT_COPIED = new Set(['node_modules', '.serverless', '.esbuild', '.local', 'test', 'test-results']);

/**
 * A project holding a copy of one service (its sources and serverless.yml, never packaged) and the
 * shared build files; installed packages are linked from this repo, so nothing needs installing.
 */
export function forkProject(service: string): string {
  const root = mkdtempSync(join(tmpdir(), 'blueprints-dev-fork-'));
  const source = join(REPO_ROOT, 'services', service);
  const target = join(root, 'services', service);
  cpSync(source, target, { recursive: true, filter: (path) => !NOT_COPIED.has(basename(path)) });
  symlinkSync(join(source, 'node_modules'), join(target, 'node_modules'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  for (const file of ['serverless.shared.yml', 'esbuild.config.cjs', 'tsconfig.base.json', 'package.json']) {
    cpSync(join(REPO_ROOT, file), join(root, file));
  }
  return root;
}
