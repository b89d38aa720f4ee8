/**
 * The database could not be reached or logged in to (after the one retry a dropped connection
 * gets). The message names the endpoint and the reason; `cause` holds the driver's error.
 */
export class DatabaseConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseConnectionError';
  }
}

/**
 * A step of a database call (IAM token, liveness check, connect, query) ran out of its time
 * budget: the function's deadline was near, or the step's own timeout passed. A subclass of
 * `DatabaseConnectionError`, so whoever answers "database unavailable" answers it for this too.
 */
export class DatabaseTimeoutError extends DatabaseConnectionError {
  readonly step: string;
  readonly budgetMs: number;

  constructor(step: string, budgetMs: number, options?: { cause?: unknown }) {
    super(
      budgetMs > 0
        ? `The database did not answer in time: ${step} took longer than its ${budgetMs} ms budget`
        : `No time left for ${step} before the function's deadline`,
      options,
    );
    this.name = 'DatabaseTimeoutError';
    this.step = step;
    this.budgetMs = budgetMs;
  }
}

// SQLSTATE classes/codes that mean "this connection is gone", not "this statement failed".
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
const CONNECTION_ERRNOS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'not queryable',
  'Client was closed',
  'Query read timeout',
  'terminating connection',
];

interface ErrorLike {
  message: string;
  code?: unknown;
}

// Duck-typed rather than `instanceof Error`: Node's socket errors come from another realm under
// test runners that sandbox modules, and still have to be recognised.
function asErrorLike(error: unknown): ErrorLike | undefined {
  return typeof error === 'object' && error !== null && typeof (error as ErrorLike).message === 'string'
    ? (error as ErrorLike)
    : undefined;
}

/** True when an error from `pg` means the connection is unusable (closed, reset, timed out). */
export function isConnectionLost(reason: unknown): boolean {
  const error = asErrorLike(reason);
  if (!error) return false;
  const code = error.code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || CONNECTION_SQLSTATES.has(code) || CONNECTION_ERRNOS.has(code)) return true;
    // Any other SQLSTATE is a statement error on a live connection.
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  return CONNECTION_MESSAGES.some((text) => error.message.includes(text));
}

const TLS_ERROR_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** A one-line explanation of why opening a connection failed, for the error a caller sees. */
export function describeConnectFailure(reason: unknown): string {
  const error = asErrorLike(reason);
  if (!error) return String(reason);
  const code = error.code;
  if (typeof code === 'string' && TLS_ERROR_CODES.has(code)) {
    return (
      `the server's TLS certificate was rejected (${code}: ${error.message}); ` +
      'it does not chain to the configured CA (DB_CA_FILE, default Amazon Root CA 1) or does not name this host'
    );
  }
  if (error.message === 'The server does not support SSL connections') {
    return 'the server does not support TLS (for a local Postgres without TLS set DB_TLS=off)';
  }
  if (code === 'ECONNREFUSED') return `nothing is listening there (${error.message})`;
  if (code === '28P01' || code === '28000') return `login refused: ${error.message}`;
  if (error.message.includes('timeout')) return `no answer in time (${error.message})`;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
