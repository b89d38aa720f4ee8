/** The command line is wrong; the message says what to type instead. */
export class ConsoleUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsoleUsageError';
  }
}

/** The statement writes, and the console was not started with `--write`. */
export class WriteRefusedError extends Error {
  constructor(reason: string) {
    super(
      `Refused: the console is read-only unless started with --write, and this statement writes (${reason}). ` +
        'Check it, then run it again with --write.',
    );
    this.name = 'WriteRefusedError';
  }
}

/** The database rejected the statement; `sqlState` is PostgreSQL's error code when known. */
export class StatementFailedError extends Error {
  readonly sqlState: string | undefined;

  constructor(message: string, sqlState: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StatementFailedError';
    this.sqlState = sqlState;
  }
}

// PostgreSQL: 25006 read_only_sql_transaction.
export const READ_ONLY_VIOLATION = '25006';
