import { createServer, type Server, type Socket } from 'node:net';
import { Database, DatabaseConnectionError } from '../../src/database/index.js';
import { countingPasswordProvider } from '../helpers/factories.js';
import {
  freePort,
  LOCAL_PASSWORD,
  type LocalPostgres,
  POSTGRES_START_TIMEOUT_MS,
  startLocalPostgres,
} from '../helpers/localPostgres.js';

const backendPid = async (database: Database, readOnly = false): Promise<number> => {
  const { rows } = await database.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', [], { readOnly });
  return rows[0]?.pid as number;
};

describe('Class: Database', () => {
  let postgres: LocalPostgres;
  const open: Database[] = [];
  const track = (database: Database) => {
    open.push(database);
    return database;
  };

  beforeAll(async () => {
    postgres = await startLocalPostgres();
  }, POSTGRES_START_TIMEOUT_MS);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((database) => database.close()));
  });

  afterAll(async () => {
    await postgres.stop();
  });

  it('calls the password provider once per new connection, not per query', async () => {
    // Prepare
    const provider = countingPasswordProvider(LOCAL_PASSWORD);
    const database = track(new Database(postgres.settings(), { passwordProvider: provider }));

    // Act
    for (let i = 0; i < 5; i += 1) await database.query('SELECT $1::int AS n', [i]);
    await database.getClient();

    // Assess
    expect(provider.calls).toEqual([{ host: '127.0.0.1', port: postgres.port, user: 'app_admin' }]);
  });

  it('opens one connection per endpoint and signs each for its own host', async () => {
    // Prepare
    const provider = countingPasswordProvider(LOCAL_PASSWORD);
    const database = track(
      new Database(postgres.settings({ readerHost: 'localhost' }), { passwordProvider: provider }),
    );

    // Act
    const writerPid = await backendPid(database);
    const readerPid = await backendPid(database, true);
    await backendPid(database, true);

    // Assess
    expect(readerPid).not.toBe(writerPid);
    expect(provider.calls.map((call) => call.host)).toEqual(['127.0.0.1', 'localhost']);
  });

  it('reuses the same server session across calls (warm invocations)', async () => {
    // Prepare
    const database = track(new Database(postgres.settings()));

    // Act
    const first = await backendPid(database);
    const second = await backendPid(database);
    const client = await database.getClient();

    // Assess
    expect(second).toBe(first);
    expect((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid).toBe(first);
  });

  it('replaces a connection the server terminated, with a fresh password, and the next query succeeds', async () => {
    // Prepare
    const provider = countingPasswordProvider(LOCAL_PASSWORD);
    const database = track(
      new Database(postgres.settings({ applicationName: 'db-test-terminate' }), { passwordProvider: provider }),
    );
    const before = await backendPid(database);

    // Act
    expect(await postgres.terminateSessions('db-test-terminate')).toBe(1);
    const after = await backendPid(database);

    // Assess
    expect(after).not.toBe(before);
    expect(provider.calls).toHaveLength(2);
  });

  it('replaces a connection an earlier caller left in an aborted transaction', async () => {
    // Prepare
    const database = track(new Database(postgres.settings()));
    const client = await database.getClient();
    await client.query('BEGIN');
    await expect(client.query('SELECT 1 / 0')).rejects.toThrow('division by zero');

    // Act
    const { rows } = await database.query<{ answer: number }>('SELECT 42 AS answer');

    // Assess
    expect(rows).toEqual([{ answer: 42 }]);
    expect(await database.getClient()).not.toBe(client);
  });

  it('fails with a clear DatabaseConnectionError when the one reconnect attempt is refused', async () => {
    // Prepare: the replacement connection gets a wrong password (failure injection)
    let call = 0;
    const passwordProvider = async () => (++call === 1 ? LOCAL_PASSWORD : 'wrong-password');
    const database = track(
      new Database(postgres.settings({ applicationName: 'db-test-refused' }), { passwordProvider }),
    );
    await backendPid(database);
    await postgres.terminateSessions('db-test-refused');

    // Act
    const attempt = database.query('SELECT 1');

    // Assess
    await expect(attempt).rejects.toThrow(DatabaseConnectionError);
    await expect(attempt).rejects.toThrow(
      /Could not connect to PostgreSQL at 127\.0\.0\.1:\d+ \(database "app", user "app_admin"\) after the previous connection was closed or did not answer: login refused/,
    );
    expect(call).toBe(2);
  });

  it('retries a read once on a new connection when the connection drops mid-query', async () => {
    // Prepare
    const provider = countingPasswordProvider(LOCAL_PASSWORD);
    const database = track(
      new Database(postgres.settings({ applicationName: 'db-test-read-retry' }), { passwordProvider: provider }),
    );
    await backendPid(database, true);

    // Act
    const slowRead = database.query<{ answer: number }>('SELECT pg_sleep(0.5), 42 AS answer', [], { readOnly: true });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await postgres.terminateSessions('db-test-read-retry');

    // Assess
    expect((await slowRead).rows[0]?.answer).toBe(42);
    expect(provider.calls).toHaveLength(2);
  });

  it('does not retry a write whose connection drops mid-statement', async () => {
    // Prepare
    const database = track(new Database(postgres.settings({ applicationName: 'db-test-write' })));
    await database.query('CREATE TABLE IF NOT EXISTS write_probe (n int)');

    // Act
    const slowWrite = database.query('INSERT INTO write_probe SELECT 1 FROM pg_sleep(0.5)');
    await new Promise((resolve) => setTimeout(resolve, 150));
    await postgres.terminateSessions('db-test-write');

    // Assess
    await expect(slowWrite).rejects.toThrow(/lost during a write; it was not retried/);
    expect((await database.query('SELECT count(*)::int AS n FROM write_probe')).rows[0]?.n).toBe(0);
  });

  it('fails fast with a clear error when nothing listens on the port', async () => {
    // Prepare
    const port = await freePort();
    const database = track(new Database(postgres.settings({ port })));
    const started = Date.now();

    // Act
    const attempt = database.query('SELECT 1');

    // Assess
    await expect(attempt).rejects.toThrow(DatabaseConnectionError);
    await expect(attempt).rejects.toThrow(`127.0.0.1:${port}`);
    await expect(attempt).rejects.toThrow(/nothing is listening there/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up after the connect timeout when the server never answers', async () => {
    // Prepare: a TCP server that accepts and stays silent
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const database = track(new Database(postgres.settings({ port, connectTimeoutMs: 300 })));
    const started = Date.now();

    // Act
    const attempt = database.query('SELECT 1');

    // Assess
    try {
      await expect(attempt).rejects.toThrow(/Could not connect to PostgreSQL .*: no answer in time/);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('fails with a clear error when no password or token can be issued', async () => {
    // Prepare
    const passwordProvider = async () => {
      throw new Error('Could not load credentials from any providers');
    };
    const database = track(new Database(postgres.settings(), { passwordProvider }));

    // Act
    const attempt = database.getClient();

    // Assess
    await expect(attempt).rejects.toThrow(
      /no password or IAM token could be issued \(Could not load credentials from any providers\)/,
    );
  });
});
