import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { type ConsoleArguments, parseConsoleArguments } from './consoleArguments.js';
import { DataApiSqlRunner } from './DataApiSqlRunner.js';
import { ConsoleUsageError, StatementFailedError, WriteRefusedError } from './errors.js';
import { formatJson, formatTable } from './formatResult.js';
import { LocalSqlRunner } from './LocalSqlRunner.js';
import type { SqlRunner } from './SqlResult.js';

export interface ConsoleIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

/** Exit codes: 0 done, 1 the statement failed, 2 refused or a usage error. */
export const EXIT = { ok: 0, statementFailed: 1, refused: 2 } as const;

/** The connection settings of `pnpm dev`'s PostgreSQL (@blueprints/local-postgres) and `pnpm db:local`. */
function localRunner(env: ConsoleIo['env'], database: string): LocalSqlRunner {
  return new LocalSqlRunner({
    host: env.DB_HOST ?? '127.0.0.1',
    port: Number(env.DB_PORT ?? env.DEV_POSTGRES_PORT ?? 55432),
    database,
    user: env.DB_USER ?? 'app_admin',
    password: env.DB_PASSWORD ?? 'local',
  });
}

function runnerFor(args: ConsoleArguments, env: ConsoleIo['env']): SqlRunner {
  if (args.local) return localRunner(env, args.database);
  return new DataApiSqlRunner(new RDSDataClient({ region: args.region }), {
    clusterArn: args.clusterArn as string,
    secretArn: args.secretArn as string,
    database: args.database,
  });
}

/**
 * The `db` console: one statement, printed as a table (or JSON with `--json`). Results go to
 * stdout, everything else to stderr, so `--json` output can be piped.
 *
 * @example
 * process.exitCode = await runConsole(['--local', 'SELECT count(*) FROM articles'], { stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export async function runConsole(argv: readonly string[], io: ConsoleIo): Promise<number> {
  let args: ConsoleArguments;
  try {
    args = parseConsoleArguments(argv, io.env);
  } catch (error) {
    if (!(error instanceof ConsoleUsageError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return EXIT.refused;
  }
  const runner = runnerFor(args, io.env);
  io.stderr.write(`-- ${runner.description}, ${args.write ? 'READ WRITE' : 'read-only'}\n`);
  try {
    const result = await runner.run(args.sql, { write: args.write });
    io.stdout.write(args.json ? formatJson(result) : formatTable(result));
    return EXIT.ok;
  } catch (error) {
    if (error instanceof WriteRefusedError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.refused;
    }
    if (error instanceof StatementFailedError) {
      io.stderr.write(`ERROR${error.sqlState ? ` ${error.sqlState}` : ''}: ${error.message}\n`);
      return EXIT.statementFailed;
    }
    io.stderr.write(`Could not run the statement on ${runner.description}: ${(error as Error).message}\n`);
    return EXIT.statementFailed;
  } finally {
    await runner.close().catch(() => undefined);
  }
}
