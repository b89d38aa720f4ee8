import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { DevReady } from './devProcess.js';
import { REPO_ROOT } from './devProcess.js';

/** Every 127.0.0.1 port a ready `pnpm dev` reported: dashboard, stand-ins, gateway, PostgreSQL, HTTP APIs. */
export function reportedPorts(ready: DevReady): number[] {
  const urls = [
    ready.dashboard,
    ...Object.values(ready.endpoints).filter((v): v is string => typeof v === 'string'),
    ...ready.services.flatMap((s) => (s.http ? [s.http.url] : [])),
  ];
  return [...new Set(urls.map((u) => Number(new URL(u).port)).filter((p) => p > 0))];
}

/** The ports nothing listens on any more (a listen on 127.0.0.1 succeeds). */
export async function releasedPorts(ports: number[]): Promise<number[]> {
  const free = await Promise.all(
    ports.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const server = createServer();
          server.once('error', () => resolve(false));
          server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
        }),
    ),
  );
  return ports.filter((_, i) => free[i]);
}

/** A `pnpm dev` child watched from its first line (unlike `startDevProcess`, which only hands over a ready one). */
export interface WatchedDev {
  child: ChildProcess;
  output(): string;
  /** Resolves when the output matches `pattern`; rejects if the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  exited: Promise<number | null>;
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function watchDevProcess(args: string[]): WatchedDev {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'dev.ts'), '--any-ports', '--no-watch', '--ready-json', ...args],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const check of waiters) check();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
    waitFor: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
        const check = () => pattern.test(output) && done();
        const done = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve();
        };
        waiters.add(check);
        check();
        exited.then((code) => done(new Error(`pnpm dev exited (${code}) before ${pattern}:\n${output}`)));
      }),
  };
}

/** Runs `stop` (which signals the process) and resolves with the exit code and how long the exit took. */
export async function timedStop(stop: () => Promise<number | null>): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  const code = await stop();
  return { code, ms: Date.now() - started };
}

/** Whether the file tree under `dir` holds `text` in some file (S3 objects kept on disk by s3rver). */
export function filesContaining(dir: string, text: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const visit = (path: string) => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (readFileSync(path).includes(text)) found.push(path);
  };
  visit(dir);
  return found;
}

/** The pid in a data folder's `postgres/postmaster.pid`, if any. */
export function postmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  return Number(readFileSync(file, 'utf8').split('\n')[0]);
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The records a data folder's Firehose spool (`<dataDir>/firehose/<stream>.b64`, one base64 record a
 * line) still holds: what LocalFirehose buffered and has not written to S3 yet.
 */
export function spooledRecords(dataDir: string): string[] {
  const dir = join(dataDir, 'firehose');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.b64'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n'))
    .filter((line) => line !== '')
    .map((line) => Buffer.from(line, 'base64').toString('utf8'));
}

/** The records of `records` no file under `<dataDir>/s3` holds (uncompressed archives, as s3rver keeps them). */
export function unarchivedRecords(dataDir: string, records: string[]): string[] {
  return records.filter((record) => filesContaining(join(dataDir, 's3'), record).length === 0);
}
