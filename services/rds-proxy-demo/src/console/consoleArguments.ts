import { readFileSync } from 'node:fs';
import { ConsoleUsageError } from './errors.js';
import { isSingleStatement } from './singleStatement.js';

export interface ConsoleArguments {
  sql: string;
  write: boolean;
  json: boolean;
  local: boolean;
  database: string;
  /** Data API only. */
  clusterArn?: string;
  secretArn?: string;
  region?: string;
}

export const USAGE = `Usage: pnpm --filter rds-proxy-demo db -- [options] "SQL" | --file FILE

Runs ONE SQL statement, read-only unless --write is given.
  --local              the local PostgreSQL of \`pnpm dev\` / \`pnpm db:local\` (127.0.0.1:55432; DB_PORT,
                       DB_USER, DB_PASSWORD override) instead of the deployed cluster
  --write              allow the statement to write (otherwise it runs in a read-only transaction)
  --json               print { columns, rows, rowCount } as JSON instead of a table
  --file FILE          read the statement from FILE (e.g. migrations/bootstrap/migration_owner.sql)
  --cluster-arn ARN    deployed cluster (default: DB_CLUSTER_ARN; stack output DatabaseClusterArn)
  --secret-arn ARN     secret the Data API logs in with (default: DB_SECRET_ARN; output DatabaseSecretArn)
  --database NAME      database (default: DB_NAME or "app")
  --region REGION      AWS region (default: from the cluster ARN)`;

type Env = Record<string, string | undefined>;

const VALUE_OPTIONS = new Set(['--file', '--cluster-arn', '--secret-arn', '--database', '--region']);
const FLAGS = new Set(['--local', '--write', '--json']);

/**
 * Reads the console's command line (everything after `pnpm ... db --`).
 *
 * @example
 * parseConsoleArguments(['--local', '--json', 'SELECT 1']); // { sql: 'SELECT 1', local: true, json: true, write: false, ... }
 */
export function parseConsoleArguments(argv: readonly string[], env: Env = process.env): ConsoleArguments {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] as string;
    if (argument === '--') continue;
    if (FLAGS.has(argument)) flags.add(argument);
    else if (VALUE_OPTIONS.has(argument)) {
      const value = argv[++i];
      if (value === undefined) throw new ConsoleUsageError(`${argument} needs a value\n\n${USAGE}`);
      values.set(argument, value);
    } else if (argument.startsWith('--')) throw new ConsoleUsageError(`Unknown option ${argument}\n\n${USAGE}`);
    else positional.push(argument);
  }

  const file = values.get('--file');
  if (file !== undefined && positional.length > 0) {
    throw new ConsoleUsageError(`Give the statement as an argument or with --file, not both\n\n${USAGE}`);
  }
  const sql = (file !== undefined ? readStatementFile(file) : positional.join(' ')).trim();
  if (sql === '') throw new ConsoleUsageError(`No SQL statement given\n\n${USAGE}`);

  const write = flags.has('--write');
  if (!write && !isSingleStatement(sql)) {
    throw new ConsoleUsageError(
      'Refused: a read-only run takes ONE statement, and this text holds several (a second one could run ' +
        'after the read-only transaction ends). Run them one at a time, or with --write for a script.',
    );
  }
  const local = flags.has('--local');
  const clusterArn = values.get('--cluster-arn') ?? env.DB_CLUSTER_ARN;
  const secretArn = values.get('--secret-arn') ?? env.DB_SECRET_ARN;
  if (!local && (!clusterArn || !secretArn)) {
    throw new ConsoleUsageError(
      'The deployed cluster needs --cluster-arn and --secret-arn (or DB_CLUSTER_ARN and DB_SECRET_ARN): the stack ' +
        'outputs DatabaseClusterArn and DatabaseSecretArn (`npx osls info --verbose`). For the local database use --local.',
    );
  }
  return {
    sql,
    write,
    json: flags.has('--json'),
    local,
    database: values.get('--database') ?? env.DB_NAME ?? 'app',
    clusterArn,
    secretArn,
    region: values.get('--region') ?? (clusterArn ? clusterArn.split(':')[3] : undefined),
  };
}

function readStatementFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConsoleUsageError(`Cannot read --file ${file}: ${(error as Error).message}`);
  }
}
