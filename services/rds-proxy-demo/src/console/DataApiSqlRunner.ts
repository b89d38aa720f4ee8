import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  type RDSDataClient,
  RollbackTransactionCommand,
} from '@aws-sdk/client-rds-data';
import { READ_ONLY_VIOLATION, StatementFailedError, WriteRefusedError } from './errors.js';
import type { SqlResult, SqlRunner } from './SqlResult.js';

export interface DataApiTarget {
  /** The Aurora cluster's ARN (stack output `DatabaseClusterArn`). */
  clusterArn: string;
  /** The Secrets Manager secret the Data API logs in with (stack output `DatabaseSecretArn`). */
  secretArn: string;
  database: string;
}

/**
 * Statements through the RDS Data API (HTTPS, no network path into the VPC), signed with the
 * caller's own AWS credentials. A read-only run is a Data API transaction that starts with
 * `SET TRANSACTION READ ONLY` and is always rolled back.
 *
 * @example
 * const runner = new DataApiSqlRunner(new RDSDataClient({}), { clusterArn, secretArn, database: 'app' });
 * await runner.run('SELECT count(*) FROM articles', { write: false });
 */
export class DataApiSqlRunner implements SqlRunner {
  readonly description: string;
  readonly #client: RDSDataClient;
  readonly #target: DataApiTarget;

  constructor(client: RDSDataClient, target: DataApiTarget) {
    this.#client = client;
    this.#target = target;
    this.description = `RDS Data API ${target.clusterArn} (database "${target.database}", secret ${target.secretArn})`;
  }

  async run(sql: string, options: { write: boolean }): Promise<SqlResult> {
    const target = { resourceArn: this.#target.clusterArn, secretArn: this.#target.secretArn };
    const { transactionId } = await this.#client.send(
      new BeginTransactionCommand({ ...target, database: this.#target.database }),
    );
    let committed = false;
    try {
      if (!options.write) await this.#execute('SET TRANSACTION READ ONLY', transactionId);
      const result = await this.#execute(sql, transactionId);
      if (options.write) {
        await this.#client.send(new CommitTransactionCommand({ ...target, transactionId }));
        committed = true;
      }
      return result;
    } finally {
      if (!committed) {
        await this.#client.send(new RollbackTransactionCommand({ ...target, transactionId })).catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  async #execute(sql: string, transactionId: string | undefined): Promise<SqlResult> {
    try {
      const response = await this.#client.send(
        new ExecuteStatementCommand({
          resourceArn: this.#target.clusterArn,
          secretArn: this.#target.secretArn,
          database: this.#target.database,
          transactionId,
          sql,
          includeResultMetadata: true,
          formatRecordsAs: 'JSON',
        }),
      );
      const rows = response.formattedRecords
        ? (JSON.parse(response.formattedRecords) as Record<string, unknown>[])
        : [];
      return {
        columns: (response.columnMetadata ?? []).map((column) => column.label ?? column.name ?? '?'),
        rows,
        rowCount: response.formattedRecords ? rows.length : (response.numberOfRecordsUpdated ?? 0),
      };
    } catch (error) {
      const message = (error as Error).message;
      // The Data API reports database errors as DatabaseErrorException with "SQLState: NNNNN" in the text.
      const sqlState = /SQLState: ([0-9A-Z]{5})/.exec(message)?.[1];
      if (sqlState === READ_ONLY_VIOLATION) throw new WriteRefusedError(message);
      if ((error as Error).name === 'DatabaseErrorException')
        throw new StatementFailedError(message, sqlState, { cause: error });
      throw error;
    }
  }
}
