import { createServer, type Server, type Socket } from 'node:net';
import { Deadline } from '@blueprints/common';
import { type FaultMode, type FaultyTcpProxy, startFaultyTcpProxy } from '@blueprints/fault-injection';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  Database,
  DatabaseConnectionError,
  DatabaseTimeoutError,
  iamAuthTokenProvider,
} from '../../src/database/index.js';
import { articlesRequest, FUNCTION_TIMEOUT_MS, lambdaContext } from '../helpers/factories.js';
import { type LocalPostgres, POSTGRES_START_TIMEOUT_MS, startLocalPostgres } from '../helpers/localPostgres.js';

// The real handlers behind a loopback TCP proxy that freezes, slows down or resets the database
// connection: each must answer (articles: 503) or fail with a clear error before its function
// timeout, never be killed by it. Times are recorded and printed at the end.
type Handlers = {
  version: typeof import('../../src/handlers/version.js').handler;
  articles: typeof import('../../src/handlers/articles.js').handler;
  database: typeof import('../../src/handlers/database.js').database;
};

const APPLICATION_NAME = 'rds-proxy-demo-faults-test';
const TEST_TIMEOUT_MS = 60_000;
const timings: string[] = [];

async function timed<T>(label: string, run: () => Promise<T>): Promise<{ elapsedMs: number; outcome: T | Error }> {
  const startedAt = Date.now();
  const outcome = await run().catch((error: Error) => error);
  const elapsedMs = Date.now() - startedAt;
  const shown =
    outcome instanceof Error
      ? outcome.name
      : `HTTP ${(outcome as APIGatewayProxyStructuredResultV2).statusCode ?? 'ok'}`;
  timings.push(`${label}: ${shown} after ${elapsedMs} ms`);
  return { elapsedMs, outcome };
}

const bodyOf = (outcome: unknown) => JSON.parse((outcome as APIGatewayProxyStructuredResultV2).body ?? 'null');

describe('Handlers under database faults (loopback fault injection)', () => {
  let postgres: LocalPostgres;
  let proxy: FaultyTcpProxy;
  let handlers: Handlers;

  const warmUp = async () => {
    proxy.set({ mode: 'pass' });
    const response = await handlers.articles(articlesRequest({ type: 'news' }), lambdaContext());
    expect(response.statusCode).toBe(200);
  };
  const coldStart = async () => {
    await handlers.database.close();
  };

  beforeAll(async () => {
    postgres = await startLocalPostgres();
    proxy = await startFaultyTcpProxy({ host: '127.0.0.1', port: postgres.port });
    Object.assign(
      process.env,
      postgres.environment({
        DB_PORT: String(proxy.port),
        DB_APPLICATION_NAME: APPLICATION_NAME,
        // The deployed default: the budget, not this, is what must stop a frozen connect.
        DB_CONNECT_TIMEOUT_MS: '5000',
      }),
      { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    );
    // One at a time: jest's ESM loader can fail concurrent imports of a shared dependency.
    const version = await import('../../src/handlers/version.js');
    const articles = await import('../../src/handlers/articles.js');
    const migrate = await import('../../src/handlers/migrate.js');
    const shared = await import('../../src/handlers/database.js');
    handlers = { version: version.handler, articles: articles.handler, database: shared.database };
    await migrate.handler({}, lambdaContext(120_000));
  }, POSTGRES_START_TIMEOUT_MS);

  afterEach(() => {
    proxy.set({ mode: 'pass' });
  });

  afterAll(async () => {
    await handlers?.database.close();
    await proxy?.close();
    await postgres?.stop();
    console.log(`Time to answer per fault (function timeout ${FUNCTION_TIMEOUT_MS} ms):\n  ${timings.join('\n  ')}`);
  });

  describe.each([
    ['a warm connection', warmUp],
    ['a cold start', coldStart],
  ])('frozen database (connection accepted, no bytes), %s', (label, prepare) => {
    it(
      'articles answers 503 before its function timeout',
      async () => {
        // Prepare
        await prepare();
        proxy.set({ mode: 'freeze' });

        // Act
        const { elapsedMs, outcome } = await timed(`articles, frozen, ${label}`, () =>
          handlers.articles(articlesRequest({ type: 'news' }), lambdaContext()),
        );

        // Assess
        expect(elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
        expect((outcome as APIGatewayProxyStructuredResultV2).statusCode).toBe(503);
        expect(bodyOf(outcome)).toEqual({
          error: 'DatabaseUnavailable',
          message: 'The database cannot be reached right now; retry shortly',
        });
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'version throws a DatabaseConnectionError naming the endpoint before its function timeout',
      async () => {
        // Prepare
        await prepare();
        proxy.set({ mode: 'freeze' });

        // Act
        const { elapsedMs, outcome } = await timed(`version, frozen, ${label}`, () =>
          handlers.version({}, lambdaContext()),
        );

        // Assess
        expect(elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
        expect(outcome).toBeInstanceOf(DatabaseConnectionError);
        expect((outcome as Error).message).toMatch(
          /127\.0\.0\.1:\d+ \(database "app", user "app_admin"\).*(time|answer)/,
        );
      },
      TEST_TIMEOUT_MS,
    );
  });

  // Both handlers, a warm connection, and a fault that no budget can outwait.
  const invocations = {
    articles: (): Promise<unknown> => handlers.articles(articlesRequest({ type: 'news' }), lambdaContext()),
    version: (): Promise<unknown> => handlers.version({}, lambdaContext()),
  };
  describe.each([
    ['resets every connection', { mode: 'reset' } as FaultMode],
    ['takes 2 s per packet', { mode: 'slow', delayMs: 2000 } as FaultMode],
  ])('database that %s', (label, fault) => {
    it.each(['articles', 'version'] as const)(
      '%s fails cleanly before its function timeout',
      async (name) => {
        // Prepare
        await warmUp();
        proxy.set(fault);

        // Act
        const { elapsedMs, outcome } = await timed(`${name}, ${label}`, invocations[name]);

        // Assess
        expect(elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
        if (name === 'articles') expect((outcome as APIGatewayProxyStructuredResultV2).statusCode).toBe(503);
        else expect(outcome).toBeInstanceOf(DatabaseConnectionError);
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('slow database', () => {
    it(
      'articles still answers 200 when every packet takes 300 ms',
      async () => {
        // Prepare
        await warmUp();
        proxy.set({ mode: 'slow', delayMs: 300 });

        // Act
        const { elapsedMs, outcome } = await timed('articles, 300 ms per packet', invocations.articles);

        // Assess
        expect(elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
        expect((outcome as APIGatewayProxyStructuredResultV2).statusCode).toBe(200);
        expect(bodyOf(outcome).count).toBe(3);
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('slow query on a real PostgreSQL', () => {
    it(
      'articles answers 503 before its function timeout while the table is locked',
      async () => {
        // Prepare: a migration-style lock that makes the SELECT wait
        await warmUp();
        const locker = new Database(postgres.settings({ applicationName: 'locker' }));
        const lockClient = await locker.getClient();
        await lockClient.query('BEGIN');
        await lockClient.query('LOCK TABLE articles IN ACCESS EXCLUSIVE MODE');

        // Act
        const { elapsedMs, outcome } = await timed('articles, table locked', () =>
          handlers.articles(articlesRequest({ type: 'news' }), lambdaContext()),
        );
        await lockClient.query('ROLLBACK');
        await locker.close();

        // Assess
        expect(elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
        expect((outcome as APIGatewayProxyStructuredResultV2).statusCode).toBe(503);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'gives up on pg_sleep at the deadline with DatabaseTimeoutError, and the next call gets a fresh connection',
      async () => {
        // Prepare
        const database = new Database(postgres.settings({ applicationName: 'sleeper' }));

        // Act
        const { elapsedMs, outcome } = await timed('Database.query pg_sleep(30), 3 s deadline', () =>
          database.query('SELECT pg_sleep(30)', [], { deadline: Deadline.in(3000, { safetyMarginMs: 0 }) }),
        );
        const after = await database.query<{ ok: number }>('SELECT 1 AS ok', [], {
          deadline: Deadline.in(3000, { safetyMarginMs: 0 }),
        });
        await database.close();

        // Assess
        expect(outcome).toBeInstanceOf(DatabaseTimeoutError);
        expect((outcome as DatabaseTimeoutError).step).toBe('the query');
        expect(elapsedMs).toBeLessThan(3000 + 1000);
        expect(after.rows).toEqual([{ ok: 1 }]);
      },
      TEST_TIMEOUT_MS,
    );
  });
});

describe('IAM token under a credential source that never answers', () => {
  let stalled: Server;
  const stalledSockets: Socket[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    // Accepts connections and never answers: the instance metadata endpoint of a broken host.
    stalled = createServer((socket) => {
      stalledSockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    process.env = saved;
    for (const socket of stalledSockets) socket.destroy();
    await new Promise<void>((resolve) => stalled.close(() => resolve()));
  });

  it.each([
    [4000, /no password or IAM token could be issued/],
    // Shorter than the SDK's own metadata timeouts: the deadline, not the SDK, ends the wait.
    [1500, /no password or IAM token could be issued \(.*issuing the IAM token took longer than its \d+ ms budget\)/],
  ])(
    'fails the connect with a clear error before a %i ms deadline',
    async (deadlineMs, message) => {
      // Prepare: no credentials anywhere but a metadata endpoint that stalls
      const address = stalled.address() as { port: number };
      // The test runner disables the metadata endpoint for every other suite; this one wants it, stalled.
      for (const name of [
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_SESSION_TOKEN',
        'AWS_PROFILE',
        'AWS_EC2_METADATA_DISABLED',
      ]) {
        delete process.env[name];
      }
      Object.assign(process.env, {
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
        AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${address.port}`,
      });
      const database = new Database(
        {
          host: '127.0.0.1',
          readerHost: '127.0.0.1',
          port: address.port,
          database: 'app',
          user: 'articles_reader',
          auth: 'iam',
          region: 'eu-west-1',
          connectTimeoutMs: 5000,
          statementTimeoutMs: 5000,
          applicationName: 'iam-test',
        },
        { passwordProvider: iamAuthTokenProvider('eu-west-1') },
      );

      // Act
      const { elapsedMs, outcome } = await timed(
        `IAM token, stalled metadata endpoint, ${deadlineMs} ms deadline`,
        () => database.query('SELECT 1', [], { deadline: Deadline.in(deadlineMs, { safetyMarginMs: 0 }) }),
      );
      await database.close();

      // Assess
      expect(outcome).toBeInstanceOf(DatabaseConnectionError);
      expect((outcome as Error).message).toMatch(message);
      expect(stalledSockets.length).toBeGreaterThan(0);
      expect(elapsedMs).toBeLessThan(deadlineMs + 1000);
      console.log(timings.at(-1));
    },
    TEST_TIMEOUT_MS,
  );
});
