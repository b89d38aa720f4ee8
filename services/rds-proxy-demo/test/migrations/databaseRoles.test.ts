import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { Database, DatabaseConnectionError } from '../../src/database/index.js';
import { applyMigrations, MIGRATIONS } from '../../src/migrations/index.js';
import { articlesRequest, lambdaContext } from '../helpers/factories.js';
import { type LocalPostgres, POSTGRES_START_TIMEOUT_MS, startLocalPostgres } from '../helpers/localPostgres.js';

// The database roles by purpose, on a real PostgreSQL 16. Aurora checks an IAM token where this
// server checks a password: each role gets its own password here, standing in for the token only
// that function's IAM role can sign (rds-db:connect names one database user, template.test.ts).
const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BOOTSTRAP_SQL = readFileSync(join(serviceDir, 'migrations', 'bootstrap', 'migration_owner.sql'), 'utf8');
// The DB_USER of each function in serverless.yml (custom.database.users).
const FUNCTION_USERS = { migrate: 'app_migrator', articles: 'articles_reader', version: 'app_monitor' };
const PASSWORDS = { app_migrator: 'migrator-secret', articles_reader: 'reader-secret', app_monitor: 'monitor-secret' };

type Handlers = { articles: typeof import('../../src/handlers/articles.js').handler };

describe('Database roles created by migrations', () => {
  let postgres: LocalPostgres;
  const open: Database[] = [];
  const connectAs = (user: string, password: string) => {
    const database = new Database(postgres.settings({ user, password, applicationName: `roles-test-${user}` }));
    open.push(database);
    return database;
  };
  const sqlStateOf = (client: pg.Client, sql: string) =>
    client.query(sql).then(
      () => 'succeeded',
      (error: { code?: string }) => error.code,
    );

  beforeAll(async () => {
    postgres = await startLocalPostgres();
    // What a person runs once per cluster through the Data API console, as the master user.
    await postgres.admin.query(BOOTSTRAP_SQL);
    await postgres.admin.query(`ALTER ROLE app_migrator PASSWORD '${PASSWORDS.app_migrator}'`);
  }, POSTGRES_START_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(open.map((database) => database.close()));
    await postgres?.stop();
  });

  it('migrate, as the migration owner, creates the roles once when two runs start at the same time', async () => {
    // Prepare: two connections, as two concurrent `migrate` invocations have
    const [first, second] = await Promise.all([
      connectAs('app_migrator', PASSWORDS.app_migrator).getClient(),
      connectAs('app_migrator', PASSWORDS.app_migrator).getClient(),
    ]);

    // Act
    const reports = await Promise.all([applyMigrations(first, MIGRATIONS), applyMigrations(second, MIGRATIONS)]);

    // Assess
    expect(reports.map((report) => report.applied)).toEqual(expect.arrayContaining([['0001', '0002', '0003'], []]));
    const { rows } = await postgres.admin.query<{ rolname: string; rolcanlogin: boolean; rolsuper: boolean }>(
      `SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [Object.values(FUNCTION_USERS)],
    );
    expect(rows).toEqual([
      { rolname: 'app_migrator', rolcanlogin: true, rolsuper: false },
      { rolname: 'app_monitor', rolcanlogin: true, rolsuper: false },
      { rolname: 'articles_reader', rolcanlogin: true, rolsuper: false },
    ]);
    const owners = await postgres.admin.query<{ tableowner: string }>(
      `SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`,
    );
    expect(owners.rows).toEqual([{ tableowner: 'app_migrator' }]);
  });

  it('creates the roles again without error where they already exist (a rebuilt database on the same cluster)', async () => {
    // Prepare: the schema is gone, the cluster-wide roles stay
    await postgres.admin.query('DROP TABLE articles, schema_migrations');
    const client = await connectAs('app_migrator', PASSWORDS.app_migrator).getClient();

    // Act
    const report = await applyMigrations(client, MIGRATIONS);

    // Assess
    expect(report.applied).toEqual(['0001', '0002', '0003']);
  });

  it('runs the bootstrap again without error, and it hands the master user’s tables to the migration owner', async () => {
    // Prepare: a table a first version of the service created as the master user
    await postgres.admin.query('CREATE TABLE legacy_notes (id int)');

    // Act
    await postgres.admin.query(BOOTSTRAP_SQL);

    // Assess
    const { rows } = await postgres.admin.query(`SELECT tableowner FROM pg_tables WHERE tablename = 'legacy_notes'`);
    expect(rows).toEqual([{ tableowner: 'app_migrator' }]);
    await postgres.admin.query('DROP TABLE legacy_notes');
  });

  describe('Role: articles_reader', () => {
    let reader: pg.Client;

    beforeAll(async () => {
      await postgres.admin.query(`ALTER ROLE articles_reader PASSWORD '${PASSWORDS.articles_reader}'`);
      reader = await connectAs('articles_reader', PASSWORDS.articles_reader).getClient();
    });

    it('reads the articles', async () => {
      // Act
      const { rows } = await reader.query('SELECT count(*)::int AS n FROM articles');

      // Assess
      expect(rows).toEqual([{ n: 6 }]);
    });

    it.each([
      ['INSERT', "INSERT INTO articles (type, title, summary, published_at) VALUES ('news', 't', 's', now())"],
      ['UPDATE', "UPDATE articles SET title = 'x'"],
      ['DELETE', 'DELETE FROM articles'],
      ['TRUNCATE', 'TRUNCATE articles'],
    ])('cannot %s, even in a transaction it declares read-write', async (_verb, sql) => {
      // Act
      const readOnlyDefault = await sqlStateOf(reader, sql);
      await reader.query('BEGIN READ WRITE');
      const readWrite = await sqlStateOf(reader, sql);
      await reader.query('ROLLBACK');

      // Assess: 25006 read-only transaction (the role's default), 42501 insufficient privilege
      expect(readOnlyDefault).toBe('25006');
      expect(readWrite).toBe('42501');
      expect((await postgres.admin.query('SELECT count(*)::int AS n FROM articles')).rows[0].n).toBe(6);
    });

    it.each([
      ['CREATE TABLE', 'CREATE TABLE intruder (id int)'],
      ['CREATE VIEW', 'CREATE VIEW intruder AS SELECT 1'],
      ['ALTER TABLE', 'ALTER TABLE articles ADD COLUMN intruder int'],
      ['DROP TABLE', 'DROP TABLE articles'],
      ['CREATE ROLE', 'CREATE ROLE intruder'],
    ])('cannot run DDL: %s', async (_statement, sql) => {
      // Act
      await reader.query('BEGIN READ WRITE');
      const state = await sqlStateOf(reader, sql);
      await reader.query('ROLLBACK');

      // Assess
      expect(state).toBe('42501');
    });

    it('cannot switch to another role in its session', async () => {
      // Act
      const states = [
        await sqlStateOf(reader, 'SET ROLE app_migrator'),
        await sqlStateOf(reader, 'SET SESSION AUTHORIZATION app_admin'),
      ];

      // Assess
      expect(states).toEqual(['42501', '42501']);
    });
  });

  describe('Logging in as another role’s user', () => {
    it.each([
      ['the migration owner', 'app_migrator'],
      ['the master user', 'app_admin'],
      ['the version function’s user', 'app_monitor'],
    ])('is refused with the articles function’s credential: %s', async (_who, user) => {
      // Prepare
      await postgres.admin.query(`ALTER ROLE app_monitor PASSWORD '${PASSWORDS.app_monitor}'`);
      const database = connectAs(user, PASSWORDS.articles_reader);

      // Act
      const attempt = database.query('SELECT 1');

      // Assess
      await expect(attempt).rejects.toThrow(DatabaseConnectionError);
      await expect(attempt).rejects.toThrow(new RegExp(`user "${user}"\\): login refused`));
    });
  });

  describe('Function: articles, logging in as articles_reader', () => {
    let handlers: Handlers;

    beforeAll(async () => {
      Object.assign(
        process.env,
        postgres.environment({
          DB_USER: FUNCTION_USERS.articles,
          DB_PASSWORD: PASSWORDS.articles_reader,
          DB_APPLICATION_NAME: 'roles-test-articles-handler',
        }),
        { POWERTOOLS_LOG_LEVEL: 'SILENT' },
      );
      handlers = { articles: (await import('../../src/handlers/articles.js')).handler };
    });

    afterAll(async () => {
      await (await import('../../src/handlers/database.js')).database.close();
    });

    it('answers GET /articles with its own, read-only role', async () => {
      // Act
      const response = await handlers.articles(articlesRequest({ type: 'news' }), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body ?? '{}').count).toBe(3);
      const { rows } = await postgres.admin.query(
        `SELECT usename FROM pg_stat_activity WHERE application_name = 'roles-test-articles-handler'`,
      );
      expect(rows).toEqual([{ usename: 'articles_reader' }]);
    });
  });
});
