import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { NewServiceError } from './errors.js';
import { assertValidServiceName, renameService } from './names.js';
import { isLeftOut, makeStandalone } from './standaloneProject.js';

export { NewServiceError } from './errors.js';
export { inlineSharedFragment } from './sharedFragment.js';

export interface NewServiceOptions {
  /** The monorepo root (holds services/, packages/, the shared config files). */
  repoRoot: string;
  /** The new service's name (kebab-case). */
  name: string;
  /** The service to copy. */
  from: string;
  /** Write a self-contained project into this folder instead of services/<name>. */
  standalone?: string;
  /** Run `pnpm install` afterwards (default true). */
  install?: boolean;
}

export interface NewServiceResult {
  dir: string;
  nextCommands: string[];
}

const TEXT_FILES = new Set([
  '.ts',
  '.mts',
  '.cts',
  '.js',
  '.mjs',
  '.cjs',
  '.json',
  '.yml',
  '.yaml',
  '.md',
  '.sql',
  '.html',
  '.css',
  '.txt',
  '.sh',
  '',
]);

function listServices(repoRoot: string): string[] {
  const dir = join(repoRoot, 'services');
  return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'serverless.yml')));
}

function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (source) => !isLeftOut(basename(source)) });
}

/** Applies `rename` to every text file's content and to every file and folder name below `dir`. */
function renameTree(dir: string, rename: (text: string) => string): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const renamedPath = join(dir, rename(entry));
    if (renamedPath !== path) renameSync(path, renamedPath);
    if (statSync(renamedPath).isDirectory()) renameTree(renamedPath, rename);
    else if (TEXT_FILES.has(extname(entry))) {
      const text = readFileSync(renamedPath, 'utf8');
      const renamed = rename(text);
      if (renamed !== text) writeFileSync(renamedPath, renamed);
    }
  }
}

function runPnpmInstall(cwd: string): void {
  // A new service adds a workspace importer: the lockfile must be updated, also where CI=true makes pnpm freeze it.
  const result = spawnSync('pnpm', ['install', '--no-frozen-lockfile'], { cwd, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    throw new NewServiceError(
      `The fork was written to ${cwd}, but \`pnpm install\` failed there (exit ${result.status}).`,
    );
  }
}

/**
 * Renaming changes the width of README tables and `makeStandalone` writes JSON: Biome (with the fork's
 * biome.json, or the repository's above it) leaves the fork lint-clean.
 */
function formatFork(dir: string): void {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  const result = spawnSync(process.execPath, [biome, 'format', '--write', '.'], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) {
    const why = result.error?.message ?? `${result.stdout}${result.stderr}`;
    throw new NewServiceError(`Formatting the fork failed (biome format): ${why}`);
  }
}

/** Validates everything before anything is written. */
function preflight(options: NewServiceOptions): { target: string } {
  assertValidServiceName(options.name);
  const services = listServices(options.repoRoot);
  if (!services.includes(options.from)) {
    throw new NewServiceError(`Unknown template "${options.from}". Templates: ${services.join(', ')}.`);
  }
  if (options.name === options.from) throw new NewServiceError(`The new name must differ from "${options.from}".`);
  const target = options.standalone ? resolve(options.standalone) : join(options.repoRoot, 'services', options.name);
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw new NewServiceError(
      `${relative(process.cwd(), target) || target} already exists: choose another name or folder.`,
    );
  }
  if (!options.standalone && services.includes(options.name)) {
    throw new NewServiceError(`A service named "${options.name}" already exists.`);
  }
  return { target };
}

/**
 * Forks a service: copies it under a new name into `services/<name>` (or, with `standalone`, into
 * a self-contained project) and renames the service, package, stack-scoped resource names,
 * authorizer and rule names, outputs and README title.
 *
 * @example
 * await newService({ repoRoot, name: 'shop-events', from: 'orders' });
 */
export function newService(options: NewServiceOptions): NewServiceResult {
  const { target } = preflight(options);
  const rename = (text: string): string => renameService(text, options.from, options.name);
  // Stage next to the target and move it into place at the end: a failure leaves nothing behind.
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const stage = mkdtempSync(join(parent, '.new-service-'));
  chmodSync(stage, 0o755); // mkdtemp makes it private; the fork is an ordinary folder

  try {
    copyTree(join(options.repoRoot, 'services', options.from), stage);
    renameTree(stage, rename);
    if (options.standalone) makeStandalone(options.repoRoot, stage, options.from);
    formatFork(stage);
    if (existsSync(target)) rmSync(target, { recursive: true });
    renameSync(stage, target);
  } catch (error) {
    rmSync(stage, { recursive: true, force: true });
    throw error;
  }
  if (options.install !== false) runPnpmInstall(options.standalone ? target : options.repoRoot);
  const fromHere = relative(process.cwd(), target);
  const shown = fromHere.startsWith('..') ? target : fromHere || '.';
  const nextCommands = options.standalone
    ? [`cd ${shown}`, 'pnpm test', 'pnpm package', 'pnpm dev', 'pnpm deploy --stage dev']
    : [
        `pnpm test --selectProjects ${options.name}`,
        `cd ${shown} && pnpm exec osls package`,
        `cd ${shown} && pnpm exec osls deploy --stage dev`,
      ];
  return { dir: target, nextCommands };
}
