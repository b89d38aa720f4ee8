import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isBuildOutput } from '@blueprints/packaging';
import { listServices } from '../../src/devServices.js';
import { REPO_ROOT } from './devProcess.js';

const NOT_COPIED = new Set(['node_modules', '.local', 'test', 'test-results']);
/** Not copied: installed packages, local data, tests, and every package folder, lock and build folder. */
const copied = (path: string) => !NOT_COPIED.has(basename(path)) && !isBuildOutput(basename(path));

/** A temporary project root with the shared build files; installed packages are linked from this repo. */
function emptyProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'blueprints-dev-fork-'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  for (const file of ['serverless.shared.yml', 'esbuild.config.cjs', 'tsconfig.base.json', 'package.json']) {
    cpSync(join(REPO_ROOT, file), join(root, file));
  }
  return root;
}

/** Copies a service folder (sources and serverless.yml, never its package) into a project as `services/<name>`. */
function copyService(root: string, source: string, name: string, modules: string): string {
  const target = join(root, 'services', name);
  cpSync(source, target, { recursive: true, filter: copied });
  symlinkSync(modules, join(target, 'node_modules'));
  return target;
}

/**
 * A project holding a copy of one service (its sources and serverless.yml, never packaged) and the
 * shared build files; installed packages are linked from this repo, so nothing needs installing.
 */
export function forkProject(service: string): string {
  const root = emptyProject();
  const source = join(REPO_ROOT, 'services', service);
  copyService(root, source, service, join(source, 'node_modules'));
  return root;
}

/** The hot reload tests' own service: `greet` (GET /greet, imports src/greeting/) and `farewell` (GET /farewell). */
export const RELOADABLE_DIR = join(import.meta.dirname, '..', 'fixtures', 'reloadable');

/**
 * A project holding one copy of the fixture service per name (its `service:` renamed). Their
 * build tools (osls, serverless-esbuild, the osls plugin) are linked from the first service of this
 * repo, which installs them as every service does.
 */
export function reloadableProject(...names: string[]): string {
  const root = emptyProject();
  const modules = join(REPO_ROOT, 'services', listServices(REPO_ROOT)[0] as string, 'node_modules');
  for (const name of names) {
    const dir = copyService(root, RELOADABLE_DIR, name, modules);
    const yml = join(dir, 'serverless.yml');
    writeFileSync(yml, readFileSync(yml, 'utf8').replace(/^service: .*$/m, `service: ${name}`));
  }
  return root;
}
