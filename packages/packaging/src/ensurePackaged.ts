import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { claimOwnerLock, LockHeldError, type LockOwner } from './ownerLock.js';
import { readPackagedServiceState } from './packagedService.js';
import { isBuildOutput, KEPT_DEFAULT_PACKAGE, packageFolder, readPackagedFile } from './packageFolder.js';
import { type PackagingProgress, reportPackaging } from './packagingProgress.js';
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

/**
 * The folder the shared inputs ({@link SHARED_INPUTS}) are read from: the pnpm workspace holding the
 * service (the monorepo root, even though pnpm also installs osls into each service's own
 * node_modules), or, outside any workspace, the project root (a standalone fork, whose shared files
 * sit beside serverless.yml).
 */
export function workspaceRoot(serviceDir: string): string {
  for (let dir = resolve(serviceDir); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return projectRoot(resolve(serviceDir));
  }
}
const SKIP = new Set(['node_modules', 'test', 'test-results', '.local', 'README.md']);
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
export function packageInputsHash(serviceDir: string): string {
  const dir = resolve(serviceDir);
  return inputsHash(dir, workspaceRoot(dir));
}

function inputsHash(serviceDir: string, root: string): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!SKIP.has(name) && !isBuildOutput(name)) visit(join(path, name));
      return;
    }
    hash.update(`${relative(root, path)}\0${stat.size}\0`);
    hash.update(readFileSync(path));
  };
  visit(serviceDir);
  if (root !== serviceDir) for (const shared of SHARED_INPUTS) visit(join(root, shared));
  return hash.digest('hex');
}

/** Whether the stage's packaged output exists and was made from exactly these inputs. */
function isPackagedFrom(serviceDir: string, hash: string, stage?: string): boolean {
  try {
    readPackagedFile(serviceDir, stage, 'cloudformation-template-update-stack.json');
    return readPackagedFile(serviceDir, stage, INPUTS_HASH_FILE).trim() === hash;
  } catch {
    return false;
  }
}

/**
 * A default package left in {@link KEPT_DEFAULT_PACKAGE} by a packaging that was killed (the lock is
 * held, so nobody else is packaging): back to `.serverless`, replacing osls's unfinished work folder.
 */
function restoreKeptPackage(dir: string): void {
  const kept = join(dir, KEPT_DEFAULT_PACKAGE);
  if (!existsSync(kept)) return;
  rmSync(join(dir, '.serverless'), { recursive: true, force: true });
  renameSync(kept, join(dir, '.serverless'));
}

export class PackagingLockTimeoutError extends Error {
  constructor(
    readonly lockPath: string,
    readonly owner: LockOwner,
    waitedMs: number,
  ) {
    super(
      `${owner.what} (pid ${owner.pid}) has been packaging for ${Math.round(waitedMs / 1000)} s and still holds ${lockPath}. ` +
        `Stop it (kill ${owner.pid}) and start again.`,
    );
    this.name = 'PackagingLockTimeoutError';
  }
}

/** How long to wait for another live process's `osls package` of the same service (a cold package takes tens of seconds). */
const LOCK_WAIT_MS = 300_000;

/**
 * Serialises `osls package` per service across processes (parallel test workers, a second `pnpm dev`).
 * A lock left by a process that is gone is taken over at once, with a message; a live owner is waited
 * for, and named in the message.
 */
async function withLock<T>(
  lockPath: string,
  options: { signal?: AbortSignal; onProgress?: (line: string) => void },
  work: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  let announced = false;
  let release: () => void;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      release = claimOwnerLock(lockPath, { what: 'osls package', onTakeover: options.onProgress });
      break;
    } catch (error) {
      if (!(error instanceof LockHeldError)) throw error;
      if (Date.now() - started > LOCK_WAIT_MS)
        throw new PackagingLockTimeoutError(lockPath, error.owner, Date.now() - started);
      if (!announced)
        options.onProgress?.(`waiting for pid ${error.owner.pid}, which is packaging this service (${lockPath})…`);
      announced = true;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await work();
  } finally {
    release();
  }
}

export interface EnsurePackagedOptions {
  /** Package this stage into `.serverless-<stage>`. */
  stage?: string;
  /** Stops a running `osls package` (its partial output is never marked as packaged). */
  signal?: AbortSignal;
  /** Each step: up to date, packaging (and every `heartbeatMs` while osls runs), packaged, and lock messages. */
  onProgress?: (progress: PackagingProgress) => void;
  /** How often a running `osls package` is reported; default 10 s. */
  heartbeatMs?: number;
}

export class PackagingAbortedError extends Error {
  constructor(serviceDir: string) {
    super(`osls package was stopped in ${serviceDir}`);
    this.name = 'PackagingAbortedError';
  }
}

/**
 * Runs `osls package` for a service unless its last package was made from the same inputs, by
 * content (service files, the shared esbuild config, serverless fragment and lockfile,
 * @blueprints/common, the osls plugin). Safe to call from parallel test workers: packaging one
 * service is serialised by a lock folder. With `stage`, packages that stage into `.serverless-<stage>`
 * (a second deployment next to the default one). `onProgress` hears whether the package was up to
 * date, or when osls starts, every `heartbeatMs` (10 s) while it runs, and when it is done.
 *
 * @example
 * await ensurePackaged('services/my-service');
 * const template = loadPackagedTemplate('services/my-service');
 */
export async function ensurePackaged(serviceDir: string, options: EnsurePackagedOptions = {}): Promise<void> {
  const dir = resolve(serviceDir);
  const root = projectRoot(dir);
  const { stage } = options;
  const onProgress = options.onProgress ?? (() => undefined);
  if (isPackagedFrom(dir, packageInputsHash(dir), stage)) {
    onProgress({ kind: 'up-to-date', serviceDir: dir });
    return;
  }
  const onLock = (message: string) => onProgress({ kind: 'lock', serviceDir: dir, message });
  await withLock(join(dir, '.serverless.lock'), { signal: options.signal, onProgress: onLock }, async () => {
    restoreKeptPackage(dir);
    const hash = packageInputsHash(dir);
    if (isPackagedFrom(dir, hash, stage)) {
      onProgress({ kind: 'up-to-date', serviceDir: dir });
      return;
    }
    const osls = join(root, OSLS_BIN);
    const args = stage === undefined ? [] : ['--stage', stage, '--package', packageFolder(stage)];
    // Packaging another stage empties `.serverless` (osls's work folder): keep the default package aside, where
    // readers in other processes find it meanwhile (packagedFilePath).
    const kept = join(dir, KEPT_DEFAULT_PACKAGE);
    const moved = stage !== undefined && existsSync(join(dir, '.serverless'));
    if (moved) renameSync(join(dir, '.serverless'), kept);
    // serverless-esbuild copies each zip's files into a temp folder it does not remove: a private one, removed after.
    const temp = mkdtempSync(join(tmpdir(), 'osls-package-'));
    try {
      const oslsPackage = () =>
        run(process.execPath, [osls, 'package', ...args], {
          cwd: dir,
          env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', SLS_TELEMETRY_DISABLED: '1', TMPDIR: temp },
          maxBuffer: 16 * 1024 * 1024,
          // Aborted (Ctrl-C during start-up): osls stops and the lock is released on the way out.
          signal: options.signal,
          killSignal: 'SIGINT',
        });
      await reportPackaging(dir, oslsPackage, onProgress, options.heartbeatMs);
    } catch (error) {
      if (options.signal?.aborted) throw new PackagingAbortedError(dir);
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`osls package failed in ${dir}:\n${stdout}\n${stderr}`);
    } finally {
      rmSync(temp, { recursive: true, force: true });
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
 * const resolver = await packagedServiceResolver('services/my-service');
 * resolver.stack.stackName; // 'my-service-dev'
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
