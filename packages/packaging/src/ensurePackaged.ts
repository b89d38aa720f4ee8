import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { readPackagedServiceState } from './packagedService.js';
import { loadPackagedTemplate, type StackContext, TemplateResolver } from './template.js';

const run = promisify(execFile);
const OSLS_BIN = join('node_modules', 'osls', 'bin', 'serverless.js');

/** The nearest folder at or above the service with osls installed: the monorepo root, or a forked project's root. */
export function projectRoot(serviceDir: string): string {
  for (let dir = serviceDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, OSLS_BIN))) return dir;
    if (dirname(dir) === dir) throw new Error(`osls is not installed in ${serviceDir} or above it: run pnpm install`);
  }
}
const SKIP = new Set([
  'node_modules',
  '.serverless',
  '.serverless.kept',
  '.esbuild',
  'test',
  'test-results',
  '.local',
  'README.md',
]);
/** Files outside the service that shape its package (paths relative to the project root). */
const SHARED_INPUTS = [
  'esbuild.config.cjs',
  'serverless.shared.yml',
  'pnpm-lock.yaml',
  'packages/common/src',
  'packages/osls-plugin',
];
/** The file, inside a package folder, holding the hash of the inputs of the last successful `osls package`. */
const INPUTS_HASH_FILE = 'blueprints-inputs.sha256';

/**
 * The osls command line a service uses, wherever it is installed (monorepo root or forked project).
 *
 * @example
 * execFile(process.execPath, [oslsBin(serviceDir), 'invoke', 'local', '-f', 'publish'], { cwd: serviceDir });
 */
export function oslsBin(serviceDir: string): string {
  return join(projectRoot(resolve(serviceDir)), OSLS_BIN);
}

/**
 * A hash of the content (and relative path) of every file that shapes a service's package: its own
 * files and the shared ones. Content, not modification times: a checkout, a copy or a `touch` that
 * leaves every byte the same does not repackage, and an edit always does, whatever the clocks say.
 */
function inputsHash(serviceDir: string, root: string): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      // `.serverless-<stage>` folders are outputs too (`ensurePackaged(dir, { stage })`).
      for (const name of readdirSync(path).sort())
        if (!SKIP.has(name) && !name.startsWith('.serverless')) visit(join(path, name));
      return;
    }
    hash.update(`${relative(root, path)}\0${stat.size}\0`);
    hash.update(readFileSync(path));
  };
  visit(serviceDir);
  if (root !== serviceDir) for (const shared of SHARED_INPUTS) visit(join(root, shared));
  return hash.digest('hex');
}

/** Where `osls package` writes: `.serverless` for the default stage, `.serverless-<stage>` for another one. */
export function packageFolder(stage?: string): string {
  if (stage === undefined) return '.serverless';
  if (!/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(stage)) throw new Error(`Invalid stage name "${stage}"`);
  return `.serverless-${stage}`;
}

/** Whether the stage's packaged output exists and was made from exactly these inputs. */
function isPackagedFrom(serviceDir: string, hash: string, stage?: string): boolean {
  const folder = join(serviceDir, packageFolder(stage));
  if (!existsSync(join(folder, 'cloudformation-template-update-stack.json'))) return false;
  const file = join(folder, INPUTS_HASH_FILE);
  return existsSync(file) && readFileSync(file, 'utf8').trim() === hash;
}

async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 180_000) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Runs `osls package` for a service unless its last package was made from the same inputs, by
 * content (service files, the shared esbuild config, serverless fragment and lockfile,
 * @blueprints/common, the osls plugin). Safe to call from parallel test workers: packaging one
 * service is serialised by a lock folder. With `stage`, packages that stage into `.serverless-<stage>`
 * (a second deployment next to the default one).
 *
 * @example
 * await ensurePackaged('services/orders');
 * const template = loadPackagedTemplate('services/orders');
 */
export async function ensurePackaged(serviceDir: string, options: { stage?: string } = {}): Promise<void> {
  const dir = resolve(serviceDir);
  const root = projectRoot(dir);
  const { stage } = options;
  if (isPackagedFrom(dir, inputsHash(dir, root), stage)) return;
  await withLock(join(dir, '.serverless.lock'), async () => {
    const hash = inputsHash(dir, root);
    if (isPackagedFrom(dir, hash, stage)) return;
    const osls = join(root, OSLS_BIN);
    const args = stage === undefined ? [] : ['--stage', stage, '--package', packageFolder(stage)];
    // Packaging another stage wipes `.serverless` (serverless-esbuild's work folder): keep the default package aside.
    const kept = join(dir, '.serverless.kept');
    const moved = stage !== undefined && existsSync(join(dir, '.serverless'));
    if (moved) renameSync(join(dir, '.serverless'), kept);
    try {
      await run(process.execPath, [osls, 'package', ...args], {
        cwd: dir,
        env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', SLS_TELEMETRY_DISABLED: '1' },
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`osls package failed in ${dir}:\n${stdout}\n${stderr}`);
    } finally {
      if (moved) {
        rmSync(join(dir, '.serverless'), { recursive: true, force: true });
        renameSync(kept, join(dir, '.serverless'));
      }
    }
    // osls recreates its package folder on every package, so the hash is written after it.
    writeFileSync(join(dir, packageFolder(stage), INPUTS_HASH_FILE), `${hash}\n`);
  });
}

/**
 * A service's packaged template, resolved as its own stack (`<service>-<stage>` from the packaged
 * state) in a local account; packages the service first when the template is missing or stale.
 * `options.stage` resolves another stage's package (`.serverless-<stage>`).
 *
 * @example
 * const resolver = await packagedServiceResolver('services/orders');
 * resolver.stack.stackName; // 'orders-dev'
 */
export async function packagedServiceResolver(
  serviceDir: string,
  stack: Partial<StackContext> = {},
  options: { stage?: string } = {},
): Promise<TemplateResolver> {
  await ensurePackaged(serviceDir, options);
  const state = readPackagedServiceState(serviceDir, options.stage);
  return new TemplateResolver(loadPackagedTemplate(serviceDir, options.stage), {
    stackName: state.stackName,
    region: 'us-east-1',
    accountId: '000000000000',
    ...stack,
  });
}
