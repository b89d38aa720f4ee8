/**
 * The service as `pnpm dev` runs it (startLocalStack with its folder, local.ts applied): PostgreSQL in
 * place of Aurora and the proxy, migrated on start, and the dashboard's action answered from it.
 */
import { join } from 'node:path';
import { sourceHandlerLoader } from '@blueprints/local-runtime';
import { type LocalService, type LocalStack, runLocalAction, startLocalStack } from '@blueprints/local-stack';
import { LOCAL_DATABASE, LOCAL_PASSWORD, LOCAL_USER, startLocalPostgres } from './helpers/localPostgres.js';

const SERVICE_DIR = join(import.meta.dirname, '..');

let stack: LocalStack;
let service: LocalService;

beforeAll(async () => {
  stack = await startLocalStack({
    services: [SERVICE_DIR],
    logLevel: 'ERROR',
    handlerLoader: (s) => sourceHandlerLoader(s.dir),
    // The test's own embedded PostgreSQL (user and database as local.ts declares them).
    postgres: async (needs) => {
      expect(needs).toMatchObject({ database: LOCAL_DATABASE, user: LOCAL_USER });
      const server = await startLocalPostgres();
      return {
        port: server.port,
        database: LOCAL_DATABASE,
        user: LOCAL_USER,
        password: LOCAL_PASSWORD,
        stop: server.stop,
      };
    },
  });
  service = stack.services[0] as LocalService;
}, 300_000);

afterAll(async () => {
  await stack?.close();
}, 60_000);

describe('local.ts: the articles action', () => {
  it('answers the seeded news articles through GET /articles, from the migrated local PostgreSQL', async () => {
    // Act
    const result = (await runLocalAction(service.wiring, service.actionContext, 'articles', { type: 'news' })) as {
      status: number;
      body: { articles: Array<{ title: string }> };
    };

    // Assess
    expect(result.status).toBe(200);
    expect(result.body.articles).toHaveLength(3);
    expect(result.body.articles.map((a) => a.title)).toContain('Pooling connections for Lambda');
  });

  it('points only the functions that declare DB_HOST at the local server, with password auth and TLS off', () => {
    // Assess
    for (const fn of service.functions.filter((f) => 'DB_HOST' in f.environment)) {
      expect(fn.environment).toMatchObject({ DB_HOST: '127.0.0.1', DB_AUTH: 'password', DB_TLS: 'off' });
      expect(fn.environment.DB_PORT).toBe(String(stack.postgres?.port));
    }
  });
});
