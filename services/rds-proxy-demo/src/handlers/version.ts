import type { Context } from 'aws-lambda';
import { database, invocationDeadline } from './database.js';

/**
 * `osls invoke -f version`: the PostgreSQL version behind the proxy, proving auth, TLS and routing.
 * A database that does not answer makes it throw `DatabaseTimeoutError` / `DatabaseConnectionError`
 * before the function's timeout, never a Lambda timeout.
 */
export const handler = async (_event: unknown, context: Context): Promise<{ version: string }> => {
  const { rows } = await database.query<{ version: string }>('SELECT version() AS version', [], {
    deadline: invocationDeadline(context),
  });
  return { version: rows[0]?.version ?? 'unknown' };
};
