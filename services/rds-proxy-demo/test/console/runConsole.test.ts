import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ConsoleIo, EXIT, runConsole } from '../../src/console/index.js';
import {
  LOCAL_PASSWORD,
  LOCAL_USER,
  type LocalPostgres,
  POSTGRES_START_TIMEOUT_MS,
  startLocalPostgres,
} from '../helpers/localPostgres.js';

// The `db` console with --local, against a real PostgreSQL: what a person sees in the terminal.
const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function capture(env: Record<string, string>): ConsoleIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env,
    out: () => out,
    err: () => err,
  };
}

describe('Function: runConsole() --local', () => {
  let postgres: LocalPostgres;
  let env: Record<string, string>;
  const articleCount = () => postgres.articleCount();

  beforeAll(async () => {
    postgres = await startLocalPostgres();
    await postgres.migrate();
    env = { DB_PORT: String(postgres.port), DB_USER: LOCAL_USER, DB_PASSWORD: LOCAL_PASSWORD };
  }, POSTGRES_START_TIMEOUT_MS);

  afterAll(async () => {
    await postgres?.stop();
  });

  it('prints a query result as a table with a row count', async () => {
    // Prepare
    const io = capture(env);

    // Act
    const code = await runConsole(
      ['--local', "SELECT type, title, published_at FROM articles WHERE type = 'guide' ORDER BY published_at"],
      io,
    );

    // Assess
    expect(code).toBe(EXIT.ok);
    expect(io.out()).toBe(
      [
        ' type  | title                                       | published_at',
        '-------+---------------------------------------------+--------------------------',
        ' guide | Connecting Lambda to Aurora through a proxy | 2025-01-15T10:00:00.000Z',
        ' guide | Schema migrations without a bastion         | 2025-02-01T16:45:00.000Z',
        '(2 rows)',
        '',
      ].join('\n'),
    );
    expect(io.err()).toMatch(
      /^-- local PostgreSQL 127\.0\.0\.1:\d+ \(database "app", user "app_admin"\), read-only\n$/,
    );
  });

  it('prints JSON with --json, for scripts', async () => {
    // Prepare
    const io = capture(env);

    // Act
    const code = await runConsole(
      ['--local', '--json', 'SELECT type, count(*)::int AS n FROM articles GROUP BY type ORDER BY type'],
      io,
    );

    // Assess
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(io.out())).toEqual({
      columns: ['type', 'n'],
      rows: [
        { type: 'guide', n: 2 },
        { type: 'news', n: 3 },
        { type: 'release', n: 1 },
      ],
      rowCount: 3,
    });
  });

  it.each([
    ['an INSERT', "INSERT INTO articles (type, title, summary, published_at) VALUES ('news', 'x', 'y', now())"],
    ['a DELETE', 'DELETE FROM articles'],
    ['DDL', 'DROP TABLE articles'],
  ])('refuses %s without --write, with a message saying how to allow it', async (_what, sql) => {
    // Prepare
    const io = capture(env);

    // Act
    const code = await runConsole(['--local', sql], io);

    // Assess
    expect(code).toBe(EXIT.refused);
    expect(io.err()).toMatch(
      /Refused: the console is read-only unless started with --write, and this statement writes \(cannot execute .* in a read-only transaction\)\. Check it, then run it again with --write\./,
    );
    expect(io.out()).toBe('');
    expect(await articleCount()).toBe(6);
  });

  it('does not let a second statement escape the read-only transaction', async () => {
    // Prepare
    const io = capture(env);

    // Act
    const code = await runConsole(['--local', 'COMMIT; DELETE FROM articles'], io);

    // Assess
    expect(code).toBe(EXIT.refused);
    expect(io.err()).toMatch(/Refused: a read-only run takes ONE statement/);
    expect(await articleCount()).toBe(6);
  });

  it('writes with --write and prints the affected row count', async () => {
    // Prepare
    const io = capture(env);

    // Act
    const code = await runConsole(
      ['--local', '--write', "UPDATE articles SET summary = summary WHERE type = 'news'"],
      io,
    );

    // Assess
    expect(code).toBe(EXIT.ok);
    expect(io.out()).toBe('(3 rows)\n');
    expect(io.err()).toMatch(/READ WRITE/);
  });

  it('runs a statement from --file (the bootstrap, as a person does once per cluster)', async () => {
    // Prepare
    const io = capture(env);

    // Act
    const code = await runConsole(
      ['--local', '--write', '--file', join(serviceDir, 'migrations', 'bootstrap', 'migration_owner.sql')],
      io,
    );

    // Assess
    expect(code).toBe(EXIT.ok);
    expect(
      (await postgres.admin.query("SELECT rolcreaterole FROM pg_roles WHERE rolname = 'app_migrator'")).rows,
    ).toEqual([{ rolcreaterole: true }]);
  });

  it('reports a failing statement with its SQLSTATE and exit code 1', async () => {
    // Prepare
    const io = capture(env);

    // Act
    const code = await runConsole(['--local', 'SELECT * FROM no_such_table'], io);

    // Assess
    expect(code).toBe(EXIT.statementFailed);
    expect(io.err()).toMatch(/ERROR 42P01: relation "no_such_table" does not exist/);
  });

  it.each([
    ['no statement', ['--local'], /No SQL statement given/],
    ['an unknown option', ['--local', '--force', 'SELECT 1'], /Unknown option --force/],
    ['the deployed cluster without its ARNs', ['SELECT 1'], /needs --cluster-arn and --secret-arn/],
  ])('explains a usage error (%s) with exit code 2', async (_case, argv, message) => {
    // Prepare
    const io = capture({});

    // Act
    const code = await runConsole(argv, io);

    // Assess
    expect(code).toBe(EXIT.refused);
    expect(io.err()).toMatch(message);
  });

  it('runs as `pnpm db` does: the tsx entry point prints the table and exits 0', async () => {
    // Act
    const { stdout } = await promisify(execFile)(
      join(serviceDir, 'node_modules', '.bin', 'tsx'),
      ['src/console/cli.ts', '--', '--local', 'SELECT count(*)::int AS articles FROM articles'],
      { cwd: serviceDir, env: { ...process.env, ...env } },
    );

    // Assess
    expect(stdout).toBe(' articles\n----------\n 6\n(1 row)\n');
  }, 60_000);
});
