import { articlesRequest, lambdaContext } from '../helpers/factories.js';
import { freePort } from '../helpers/localPostgres.js';

// The handlers when no database answers: a clear error (503 for HTTP), quickly, never a hang.
describe('Handlers without a reachable database', () => {
  let handlers: {
    version: typeof import('../../src/handlers/version.js').handler;
    articles: typeof import('../../src/handlers/articles.js').handler;
  };

  beforeAll(async () => {
    Object.assign(process.env, {
      DB_HOST: '127.0.0.1',
      DB_PORT: String(await freePort()),
      DB_NAME: 'app',
      DB_USER: 'app_admin',
      DB_AUTH: 'password',
      DB_PASSWORD: 'unused',
      DB_TLS: 'off',
      DB_CONNECT_TIMEOUT_MS: '1000',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    // One at a time: jest's ESM loader can fail concurrent imports of a shared dependency.
    const version = await import('../../src/handlers/version.js');
    const articles = await import('../../src/handlers/articles.js');
    handlers = { version: version.handler, articles: articles.handler };
  });

  it('version fails with an error naming the endpoint and the reason', async () => {
    // Act
    const invocation = handlers.version({}, lambdaContext());

    // Assess
    await expect(invocation).rejects.toThrow(
      /^Could not connect to PostgreSQL at 127\.0\.0\.1:\d+ \(database "app", user "app_admin"\): nothing is listening there/,
    );
  });

  it('articles answers 503 with a JSON error', async () => {
    // Act
    const response = await handlers.articles(articlesRequest({ type: 'news' }), lambdaContext());

    // Assess
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body ?? '')).toEqual({
      error: 'DatabaseUnavailable',
      message: 'The database cannot be reached right now; retry shortly',
    });
  });
});
