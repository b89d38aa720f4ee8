/** What one statement returned, the same shape whichever way it ran (Data API or a local connection). */
export interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
  /** Rows returned or affected. */
  rowCount: number;
}

/** Runs one SQL statement: in a read-only transaction unless `write` is set. */
export interface SqlRunner {
  /** Where statements go, for the first line the console prints (stderr). */
  readonly description: string;
  run(sql: string, options: { write: boolean }): Promise<SqlResult>;
  close(): Promise<void>;
}
