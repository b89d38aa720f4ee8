// `pnpm db:local`: a real PostgreSQL 16 on 127.0.0.1 for `osls invoke local` and `pnpm db --local`,
// with the database and the master user name of the deployed cluster (app / app_admin, see
// custom.database in serverless.yml). Data stays in .local/postgres between runs; Ctrl-C stops the
// server. Port: DB_PORT, default 55432.
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalPostgresServer, startLocalPostgres } from '@blueprints/local-postgres';

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.DB_PORT ?? 55432);
const password = process.env.DB_PASSWORD ?? 'local';
const directory = join(serviceDir, '.local', 'postgres');

/** Stops with a message and exit code 1, leaving the data folder as it was. */
function fail(message: string): never {
  console.error(`pnpm db:local: ${message}`);
  process.exit(1);
}

const portInUse = await new Promise<boolean>((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port }, () => {
    socket.destroy();
    resolve(true);
  });
  socket.once('error', () => resolve(false));
});
if (portInUse) {
  fail(`port ${port} on 127.0.0.1 is already in use. If \`pnpm dev\` is running, its PostgreSQL is there already, with
the same database and user (app / app_admin, password local): use it as it is (export DB_PORT=${port} DB_USER=app_admin
DB_AUTH=password DB_PASSWORD=local DB_TLS=off). Otherwise start this one on another port: DB_PORT=55433 pnpm db:local`);
}

let server: LocalPostgresServer;
try {
  // A server still holding the folder may be another `pnpm db:local` on another port: name it, do not stop it.
  server = await startLocalPostgres({
    directory,
    port,
    database: 'app',
    user: 'app_admin',
    password,
    orphans: 'refuse',
    progress: (line) => console.log(line),
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

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
