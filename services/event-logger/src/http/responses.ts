import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A JSON response for an HTTP API (payload format 2.0). */
export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** A client error: the handler answers it with its status and message instead of a 500. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: string[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** What the log gets: the details and extra fields, plus whatever a subclass knows and the client must not see. */
  logDetails(): Record<string, unknown> {
    return { errors: this.details, ...this.extra };
  }

  toResponse(): APIGatewayProxyStructuredResultV2 {
    return jsonResponse(this.statusCode, {
      message: this.message,
      ...(this.details.length ? { errors: this.details } : {}),
      ...this.extra,
    });
  }
}

/** The request body as text (HTTP APIs base64-encode bodies they consider binary). */
export function bodyText(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** Parses the body as JSON or throws a 400. */
export function jsonBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): unknown {
  const text = bodyText(event);
  if (text.trim() === '') throw new HttpError(400, 'Request body is required (JSON)');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Request body must be valid JSON');
  }
}

/**
 * A dependency (DynamoDB, S3) did not answer in time, throttled or failed: a 503 the client may retry. The
 * cause goes to the log only; AWS error messages can carry ARNs and role names.
 */
export class ServiceUnavailableError extends HttpError {
  constructor(readonly failure: unknown) {
    super(503, 'The event store is unavailable; retry later');
    this.name = 'ServiceUnavailableError';
  }

  override logDetails(): Record<string, unknown> {
    const { name, message } = (this.failure ?? {}) as { name?: string; message?: string };
    return { cause: { name, message } };
  }

  override toResponse(): APIGatewayProxyStructuredResultV2 {
    const response = super.toResponse();
    return { ...response, headers: { ...response.headers, 'retry-after': '1' } };
  }
}

const UNAVAILABLE_NAMES = new Set(['TimeoutError', 'AbortError', 'DeadlineExceededError']);

/**
 * True for the errors an AWS SDK call throws when the service failed or did not answer (an error response,
 * a timeout, an abort at the deadline, a network failure), as opposed to a bug in this code.
 *
 * @example
 * if (isServiceFailure(error)) throw new ServiceUnavailableError(error);
 */
export function isServiceFailure(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const e = error as { name?: string; code?: string; $metadata?: unknown };
  return e.$metadata !== undefined || UNAVAILABLE_NAMES.has(e.name ?? '') || /^E[A-Z]{3,}/.test(e.code ?? '');
}

/** What a handler logs with: Powertools' Logger fits. */
interface ErrorLogger {
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

/**
 * The API's one error shape, `{ message, errors?, ... }`: an {@link HttpError} answers with its own status
 * and details; anything else is logged in full and answered with a bare 500 (no error text, ARNs or role
 * names reach the client).
 */
export function errorResponse(error: unknown, logger: ErrorLogger): APIGatewayProxyStructuredResultV2 {
  if (error instanceof HttpError) {
    (error.statusCode >= 500 ? logger.error : logger.warn).call(logger, error.message, error.logDetails());
    return error.toResponse();
  }
  logger.error('request failed', error as Error);
  return jsonResponse(500, { message: 'Internal error' });
}
