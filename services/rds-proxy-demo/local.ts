// How this service runs under `pnpm dev` and startLocalStack (contract: packages/local-stack/README.md,
// "Local wiring"). PostgreSQL stands in for Aurora and the proxy, in the local mode README "Run it
// locally" documents: password authentication, TLS off, the superuser for every function.
import { defineLocalWiring } from '@blueprints/local-stack';

export default defineLocalWiring({
  database: {
    // `custom.database.name` and `custom.database.masterUser` in serverless.yml.
    name: 'app',
    user: 'app_admin',
    hostVariable: 'DB_HOST',
    environment: (postgres) => ({
      DB_HOST: postgres.host,
      DB_READER_HOST: postgres.host,
      DB_PORT: String(postgres.port),
      DB_NAME: postgres.database,
      DB_USER: postgres.user,
      DB_AUTH: 'password',
      DB_PASSWORD: postgres.password,
      DB_TLS: 'off',
    }),
    migrateFunction: 'migrate',
  },
  actions: [
    {
      id: 'articles',
      label: 'Query articles',
      description: 'GET /articles?type=… on the HTTP API: the articles function reads PostgreSQL.',
      input: { type: 'news' },
      run: async (context, input) => {
        const type = typeof input.type === 'string' ? input.type : 'news';
        const response = await fetch(`${context.service.httpUrl}/articles?${new URLSearchParams({ type })}`);
        return { status: response.status, body: await response.json() };
      },
    },
  ],
});
