import pg from 'pg';
import { READ_ONLY_VIOLATION, StatementFailedError, WriteRefusedError } from './errors.js';
import type { SqlResult, SqlRunner } from './SqlResult.js';

export interface LocalConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
}

/**
 * `--local`: statements on a PostgreSQL reached directly (the one `pnpm dev` or `pnpm db:local`
 * starts). Read-only runs go in a `BEGIN READ ONLY` transaction that is always rolled back, over
 * the extended query protocol, which takes exactly one statement: `COMMIT; DELETE ...` cannot
 * end the read-only transaction and write after it.
 */
export class LocalSqlRunner implements SqlRunner {
  readonly description: string;
  readonly #client: pg.Client;
  #connected = false;

  constructor(connection: LocalConnection) {
    this.description = `local PostgreSQL ${connection.host}:${connection.port} (database "${connection.database}", user "${connection.user}")`;
    this.#client = new pg.Client({
      ...connection,
      connectionTimeoutMillis: 5000,
      application_name: 'rds-proxy-demo-db',
    });
  }

  async run(sql: string, options: { write: boolean }): Promise<SqlResult> {
    if (!this.#connected) {
      await this.#client.connect();
      this.#connected = true;
    }
    if (options.write) return this.#query(sql, 'simple');
    await this.#client.query('BEGIN READ ONLY');
    try {
      return await this.#query(sql, 'extended');
    } finally {
      await this.#client.query('ROLLBACK').catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.#connected) await this.#client.end();
  }

  async #query(sql: string, queryMode: 'simple' | 'extended'): Promise<SqlResult> {
    try {
      // Simple protocol for --write: a file of several statements (a migration, the bootstrap) runs as written.
      const result = (await this.#client.query({ text: sql, queryMode } as pg.QueryConfig)) as
        | pg.QueryResult
        | pg.QueryResult[];
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return {
        columns: last?.fields.map((field) => field.name) ?? [],
        rows: last?.rows ?? [],
        rowCount: last?.rowCount ?? 0,
      };
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      if (code === READ_ONLY_VIOLATION) throw new WriteRefusedError(message);
      throw new StatementFailedError(message, code, { cause: error });
    }
  }
}
