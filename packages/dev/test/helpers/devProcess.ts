import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');

/** What `pnpm dev --ready-json` reports once everything is up. */
export interface DevReady {
  dashboard: string;
  dataDir: string;
  startupMs: number;
  services: Array<{
    name: string;
    functions: Array<{ name: string; logicalId: string }>;
    http?: { url: string; routes: Array<{ routeKey: string; url: string }> };
  }>;
  endpoints: Record<string, string | boolean>;
}

export interface DevProcess {
  child: ChildProcess;
  ready: DevReady;
  output(): string;
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Every `pnpm dev` this test file started and that has not exited yet. */
const running = new Set<ChildProcess>();

/**
 * Stops (SIGINT, then SIGKILL after `graceMs`) every `pnpm dev` still running: for an `afterEach`, so a
 * test that fails between start and stop leaves no process, port or PostgreSQL behind.
 */
export async function stopDevProcessesLeftRunning(graceMs = 15_000): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGINT');
        }),
    ),
  );
}

/**
 * Runs `pnpm dev` (the same script, without pnpm in between so the signal reaches it) as a child
 * process on free ports, and waits for its ready line. Hot reload is off (`--no-watch`) unless
 * `watch` is set: its background builds cost CPU and memory a test of something else does not need.
 */
export function startDevProcess(
  args: string[],
  timeoutMs = 240_000,
  { watch = false }: { watch?: boolean } = {},
): Promise<DevProcess> {
  const flags = ['--any-ports', '--ready-json', ...(watch ? [] : ['--no-watch'])];
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'dev.ts'), ...flags, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  running.add(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pnpm dev was not ready within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((l) => l.startsWith('DEV_READY '));
      if (!line) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.on('data', (more: Buffer) => {
        output += more.toString('utf8');
      });
      resolve({
        child,
        ready: JSON.parse(line.slice('DEV_READY '.length)) as DevReady,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGINT');
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`pnpm dev exited (${code}) before it was ready:\n${output}`));
    });
  });
}

/** Polls `check` until it returns something truthy. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
