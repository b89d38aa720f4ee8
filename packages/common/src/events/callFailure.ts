/**
 * What a failed PutEvents call means for its entries: whether the request may have reached EventBridge
 * (then nobody knows whether the entries were put), and whether trying again can help.
 */
export interface CallFailure {
  /** The error's name or Node network code (`ThrottlingException`, `ECONNRESET`, `TimeoutError`, ...). */
  code: string;
  message: string;
  /** True when the request may have been processed and the answer was lost: the entries' fate is unknown. */
  maybeSent: boolean;
  retryable: boolean;
}

/** Per-entry error codes worth retrying (Amazon EventBridge User Guide, "Handling failures with PutEvents"). */
export const RETRYABLE_ENTRY_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'InternalFailure',
  'InternalException',
]);

/** Whole-call error names worth retrying: throttling and server-side failures. */
const RETRYABLE_CALL_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'InternalFailure',
  'InternalException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
/** Network failures before anything was written: the request never reached the service. */
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Network failures on an open connection: the request may have been read and processed. */
const MAYBE_SENT_NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function networkCode(e: ErrorLike): string | undefined {
  const known = (code: string | undefined) =>
    code !== undefined && (NOT_SENT_NETWORK_CODES.has(code) || MAYBE_SENT_NETWORK_CODES.has(code));
  if (known(e.code)) return e.code;
  const inMessage = /\b(E[A-Z_]{3,})\b/.exec(e.message ?? '')?.[1];
  return known(inMessage) ? inMessage : undefined;
}

/**
 * Classifies an error thrown by `client.send(PutEventsCommand)`.
 *
 * - The service answered with an error status (4xx/5xx and a parsable error): nothing was put → not sent;
 *   retryable for throttling and 5xx.
 * - The connection was never made (refused, DNS, connection timeout): not sent, retryable.
 * - The request went out and the answer was lost (request timeout, abort at the deadline, connection reset
 *   or closed, socket hang up, a 2xx whose body could not be read): maybe sent.
 *
 * @example
 * classifyCallError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
 * // { code: 'ECONNRESET', message: 'read ECONNRESET', maybeSent: true, retryable: true }
 */
export function classifyCallError(error: unknown): CallFailure {
  const e: ErrorLike = error !== null && typeof error === 'object' ? (error as ErrorLike) : {};
  const message = e.message ?? String(error);
  const status = e.$metadata?.httpStatusCode;
  const network = networkCode(e);
  const name = e.name && e.name !== 'Error' ? e.name : undefined;

  if (status !== undefined && status >= 300) {
    const retryable = (name !== undefined && RETRYABLE_CALL_ERRORS.has(name)) || status === 429 || status >= 500;
    return { code: name ?? e.code ?? `HTTP${status}`, message, maybeSent: false, retryable };
  }
  if (network && NOT_SENT_NETWORK_CODES.has(network)) {
    return { code: network, message, maybeSent: false, retryable: true };
  }
  if (name === 'TimeoutError' && /did not establish a connection/.test(message)) {
    return { code: 'ConnectionTimeout', message, maybeSent: false, retryable: true };
  }
  if (name === 'AbortError' || name === 'DeadlineExceededError') {
    return { code: 'DeadlineExceeded', message, maybeSent: true, retryable: false };
  }
  if (name === 'TimeoutError') return { code: 'RequestTimeout', message, maybeSent: true, retryable: true };
  if (network) return { code: network, message, maybeSent: true, retryable: true };
  if (/socket hang up|aborted|premature close/i.test(message)) {
    return { code: 'ConnectionClosed', message, maybeSent: true, retryable: true };
  }
  // Anything else (a 2xx the SDK could not parse, an unexpected client error): the request may have been
  // processed, so claiming "not published" could be wrong.
  return { code: name ?? e.code ?? 'Error', message, maybeSent: true, retryable: false };
}
