import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../../src/database/index.js';
import {
  applyMigrations,
  defineMigrations,
  MIGRATIONS,
  MigrationChecksumMismatchError,
  MigrationDefinitionError,
  MigrationFailedError,
  UnknownAppliedMigrationError,
} from '../../src/migrations/index.js';
import { type LocalPostgres, POSTGRES_START_TIMEOUT_MS, startLocalPostgres } from '../helpers/localPostgres.js';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

describe('Function: applyMigrations()', () => {
  let postgres: LocalPostgres;
  const open: Database[] = [];
  const connect = async () => {
    const database = new Database(postgres.settings());
    open.push(database);
    return database.getClient();
  };
  const appliedVersions = async () =>
    (
      await postgres.admin.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')
    ).rows.map((row) => row.version);

  beforeAll(async () => {
    postgres = await startLocalPostgres();
  }, POSTGRES_START_TIMEOUT_MS);

  beforeEach(async () => {
    await postgres.admin.query('DROP TABLE IF EXISTS articles, schema_migrations, probe');
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((database) => database.close()));
  });

  afterAll(async () => {
    await postgres.stop();
  });

  it('applies every migration once and records versions and checksums', async () => {
    // Prepare
    const client = await connect();

    // Act
    const report = await applyMigrations(client, MIGRATIONS);

    // Assess
    expect(report).toEqual({ applied: ['0001', '0002', '0003'], alreadyApplied: [], currentVersion: '0003' });
    const { rows } = await postgres.admin.query(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    expect(rows).toEqual(
      MIGRATIONS.map((migration) => ({
        version: migration.version,
        name: migration.name,
        checksum: migration.checksum,
      })),
    );
    expect((await postgres.admin.query('SELECT count(*)::int AS n FROM articles')).rows[0].n).toBe(6);
  });

  it('does nothing the second time in a row', async () => {
    // Prepare
    const client = await connect();
    await applyMigrations(client, MIGRATIONS);

    // Act
    const second = await applyMigrations(client, MIGRATIONS);

    // Assess
    expect(second).toEqual({ applied: [], alreadyApplied: ['0001', '0002', '0003'], currentVersion: '0003' });
    expect(await appliedVersions()).toEqual(['0001', '0002', '0003']);
    expect((await postgres.admin.query('SELECT count(*)::int AS n FROM articles')).rows[0].n).toBe(6);
  });

  it('leaves one applied set when two runs start at the same time', async () => {
    // Prepare: two separate connections, as two concurrent `migrate` invocations have
    const [first, second] = await Promise.all([connect(), connect()]);

    // Act
    const reports = await Promise.all([applyMigrations(first, MIGRATIONS), applyMigrations(second, MIGRATIONS)]);

    // Assess
    const appliedByRun = reports.map((report) => report.applied);
    expect(appliedByRun).toContainEqual(['0001', '0002', '0003']);
    expect(appliedByRun).toContainEqual([]);
    expect(await appliedVersions()).toEqual(['0001', '0002', '0003']);
    expect((await postgres.admin.query('SELECT count(*)::int AS n FROM articles')).rows[0].n).toBe(6);
  });

  it('applies only the migrations added since the last run', async () => {
    // Prepare
    const client = await connect();
    await applyMigrations(client, MIGRATIONS.slice(0, 1));

    // Act
    const report = await applyMigrations(client, MIGRATIONS);

    // Assess
    expect(report).toEqual({ applied: ['0002', '0003'], alreadyApplied: ['0001'], currentVersion: '0003' });
  });

  it('refuses to run when an applied migration was changed, and applies nothing', async () => {
    // Prepare
    const client = await connect();
    await applyMigrations(client, MIGRATIONS.slice(0, 1));
    const edited = defineMigrations([
      { file: '0001_create_articles.sql', sql: `${MIGRATIONS[0]?.sql}\n-- edited afterwards\n` },
      ...MIGRATIONS.slice(1).map(({ file, sql }) => ({ file, sql })),
    ]);

    // Act
    const run = applyMigrations(client, edited);

    // Assess
    await expect(run).rejects.toThrow(MigrationChecksumMismatchError);
    await expect(run).rejects.toThrow(/Migration 0001_create_articles\.sql was changed after it was applied/);
    expect(await appliedVersions()).toEqual(['0001']);
  });

  it('refuses to run when the database has a migration this build does not know', async () => {
    // Prepare
    const client = await connect();
    await applyMigrations(client, MIGRATIONS);

    // Act
    const run = applyMigrations(client, MIGRATIONS.slice(0, 1));

    // Assess
    await expect(run).rejects.toThrow(UnknownAppliedMigrationError);
    await expect(run).rejects.toThrow(/migration 0002_seed_articles applied, which this build does not contain/);
  });

  it('rolls the whole run back when a migration fails', async () => {
    // Prepare
    const client = await connect();
    const migrations = defineMigrations([
      { file: '0001_create_probe.sql', sql: 'CREATE TABLE probe (n int);' },
      { file: '0002_broken.sql', sql: 'INSERT INTO no_such_table VALUES (1);' },
    ]);

    // Act
    const run = applyMigrations(client, migrations);

    // Assess
    await expect(run).rejects.toThrow(MigrationFailedError);
    await expect(run).rejects.toThrow(
      /Migration 0002_broken\.sql failed and the whole run was rolled back: .*no_such_table/,
    );
    expect((await postgres.admin.query("SELECT to_regclass('probe') AS probe")).rows[0].probe).toBeNull();
    expect((await postgres.admin.query("SELECT to_regclass('schema_migrations') AS t")).rows[0].t).toBeNull();
    // The connection is usable afterwards (no transaction left open).
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });
});

describe('Function: defineMigrations()', () => {
  it('rejects a file name without a four-digit version', () => {
    // Act
    const define = () => defineMigrations([{ file: '1_articles.sql', sql: 'SELECT 1' }]);

    // Assess
    expect(define).toThrow(MigrationDefinitionError);
    expect(define).toThrow('Migration file "1_articles.sql" must be named NNNN_lowercase_words.sql');
  });

  it('rejects duplicate or descending versions', () => {
    // Act
    const define = () =>
      defineMigrations([
        { file: '0002_b.sql', sql: 'SELECT 1' },
        { file: '0001_a.sql', sql: 'SELECT 1' },
      ]);

    // Assess
    expect(define).toThrow('Migration versions must be unique and ascending: 0002_b.sql comes before 0001_a.sql');
  });

  it('gives the same checksum whatever the line endings', () => {
    // Act
    const [unix] = defineMigrations([{ file: '0001_a.sql', sql: 'SELECT 1;\nSELECT 2;\n' }]);
    const [windows] = defineMigrations([{ file: '0001_a.sql', sql: 'SELECT 1;\r\nSELECT 2;\r\n' }]);

    // Assess
    expect(windows?.checksum).toBe(unix?.checksum);
  });
});

describe('Constant: MIGRATIONS', () => {
  it('bundles every .sql file in migrations/, in order', () => {
    // Prepare
    const files = readdirSync(migrationsDir)
      .filter((file) => file.endsWith('.sql'))
      .sort();

    // Assess
    expect(MIGRATIONS.map((migration) => migration.file)).toEqual(files);
  });
});
