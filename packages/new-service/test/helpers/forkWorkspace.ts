import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isBuildOutput } from '@blueprints/packaging';

export const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

export const services = readdirSync(join(repoRoot, 'services')).filter((name) =>
  existsSync(join(repoRoot, 'services', name, 'serverless.yml')),
);

/** A fork name that shares no spelling with any original, so a leftover original name is detectable. */
export function forkName(service: string): string {
  return `forked-${String.fromCharCode(97 + services.indexOf(service))}`;
}

/** Not copied (with every package folder, lock and build folder: isBuildOutput). */
const NOT_COPIED = new Set(['node_modules', '.git', 'test-results', '.local', '.work']);

/**
 * A temp folder other users can traverse: a service's tests may run Postgres (installed under the
 * fork's node_modules) as the `postgres` user, which cannot enter a 0700 folder.
 */
export function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** A copy of the monorepo (sources only) in a temp folder, so forks never touch the real tree. */
export function copyRepo(): string {
  const dir = tempFolder('blueprints-fork-');
  cpSync(repoRoot, dir, {
    recursive: true,
    filter: (source) => !NOT_COPIED.has(basename(source)) && !isBuildOutput(basename(source)),
  });
  return dir;
}

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion, collecting its output (stdout and stderr interleaved). */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The `N passed, N failed` line a test run ends with. */
export function summaryOf(output: string): { passed: number; failed: number } | undefined {
  const match = [...output.matchAll(/^(\d+) passed, (\d+) failed/gm)].at(-1);
  return match ? { passed: Number(match[1]), failed: Number(match[2]) } : undefined;
}

export interface RunUntilResult {
  /** The first match of the awaited pattern, or undefined when the command ended or the ceiling passed first. */
  match: RegExpMatchArray | undefined;
  output: string;
  /** How the command ended after the Ctrl-C: its exit code, or the signal that ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Starts a long-running command (e.g. `pnpm dev`), waits until its output matches `ready` (or it ends, or
 * `ceilingMs` passes), then stops it as a terminal's Ctrl-C would: SIGINT to its process group. A command
 * still running 60 s later is killed, so no test leaves a process behind.
 */
export function runUntil(
  command: string,
  args: string[],
  cwd: string,
  ready: RegExp,
  ceilingMs: number,
): Promise<RunUntilResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let match: RegExpMatchArray | undefined;
    let stopping = false;
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        // already gone
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      clearTimeout(ceiling);
      signalGroup('SIGINT');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), 60_000);
    };
    const ceiling = setTimeout(stop, ceilingMs);
    const onData = (data: Buffer): void => {
      output += data;
      match ??= output.match(ready) ?? undefined;
      if (match) stop();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (exitCode, signal) => {
      clearTimeout(ceiling);
      clearTimeout(killTimer);
      resolve({ match, output, exitCode, signal });
    });
  });
}
