import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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

/** Newest modification time of the files that shape a service's package. */
/**
 * The osls command line a service uses, wherever it is installed (monorepo root or forked project).
 *
 * @example
 * execFile(process.execPath, [oslsBin(serviceDir), 'invoke', 'local', '-f', 'publish'], { cwd: serviceDir });
 */
export function oslsBin(serviceDir: string): string {
  return join(projectRoot(resolve(serviceDir)), OSLS_BIN);
}

function newestInput(serviceDir: string, root: string): number {
  let newest = 0;
  const visit = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      // `.serverless-<stage>` folders are outputs too (`ensurePackaged(dir, { stage })`).
      for (const name of readdirSync(path))
        if (!SKIP.has(name) && !name.startsWith('.serverless')) visit(join(path, name));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  visit(serviceDir);
  if (root !== serviceDir) {
    for (const shared of [
      'esbuild.config.cjs',
      'serverless.shared.yml',
      'packages/common/src',
      'packages/osls-plugin',
    ]) {
      visit(join(root, shared));
    }
  }
  return newest;
}

/** Where `osls package` writes: `.serverless` for the default stage, `.serverless-<stage>` for another one. */
export function packageFolder(stage?: string): string {
  if (stage === undefined) return '.serverless';
  if (!/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(stage)) throw new Error(`Invalid stage name "${stage}"`);
  return `.serverless-${stage}`;
}

function templateTime(serviceDir: string, stage?: string): number {
  return (
    statSync(join(serviceDir, packageFolder(stage), 'cloudformation-template-update-stack.json'), {
      throwIfNoEntry: false,
    })?.mtimeMs ?? 0
  );
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
 * Runs `osls package` for a service unless its packaged template is newer than every input
 * (service files, the shared esbuild config and serverless fragment, @blueprints/common). Safe to
 * call from parallel test workers: packaging one service is serialised by a lock folder. With
 * `stage`, packages that stage into `.serverless-<stage>` (a second deployment next to the default one).
 *
 * @example
 * await ensurePackaged('services/event-logger');
 * const template = loadPackagedTemplate('services/event-logger');
 */
export async function ensurePackaged(serviceDir: string, options: { stage?: string } = {}): Promise<void> {
  const dir = resolve(serviceDir);
  const root = projectRoot(dir);
  const { stage } = options;
  if (templateTime(dir, stage) > newestInput(dir, root)) return;
  await withLock(join(dir, '.serverless.lock'), async () => {
    if (templateTime(dir, stage) > newestInput(dir, root)) return;
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
  });
}

/**
 * A service's packaged template, resolved as its own stack (`<service>-<stage>` from the packaged
 * state) in a local account; packages the service first when the template is missing or stale.
 * `options.stage` resolves another stage's package (`.serverless-<stage>`).
 *
 * @example
 * const resolver = await packagedServiceResolver('services/event-logger');
 * resolver.stack.stackName; // 'event-logger-dev'
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
