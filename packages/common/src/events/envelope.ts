import { InvalidEnvelopeError } from './errors.js';

/**
 * What every event carries in its EventBridge `detail`: metadata that makes it traceable and safe to
 * process twice, around the business payload (`context`).
 *
 * @example
 * // detail of an `order.placed` event
 * {
 *   createdAt: 1767225600000,
 *   correlationId: '0b7c1a9e-3f0e-4a53-9d7e-1b1a6a0c2f11',
 *   sequenceNr: 2,
 *   idempotencyKey: '0b7c1a9e-3f0e-4a53-9d7e-1b1a6a0c2f11:2',
 *   persist: true,
 *   context: { brand: 'A', orderId: 'o-1' },
 * }
 */
export interface Envelope<TContext = Record<string, unknown>> {
  /** When the producer created the event, epoch milliseconds. */
  createdAt: number;
  /** One UUID per request / unit of work: every event it published shares it. */
  correlationId: string;
  /** 1, 2, 3… in publish order within the correlationId. */
  sequenceNr: number;
  /** Consumers deduplicate on this: two deliveries with the same key are the same event. */
  idempotencyKey: string;
  /** `true` routes the event to the archive (S3) and the queryable table. */
  persist: boolean;
  /** The business payload. */
  context: TContext;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Longest idempotency key accepted (it becomes part of a DynamoDB key, and keys stay short). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/** True when `value` is a UUID (any version) in its canonical 8-4-4-4-12 form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return `got ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Validates an event's `detail` as an {@link Envelope}. Throws {@link InvalidEnvelopeError} naming the first
 * bad field. Pass `parseContext` to validate the payload too (its errors propagate unchanged).
 *
 * @example
 * const envelope = parseEnvelope(event.detail);
 * const order = parseEnvelope(event.detail, (c) => parseOrder(c));
 */
export function parseEnvelope<TContext = Record<string, unknown>>(
  detail: unknown,
  parseContext?: (context: Record<string, unknown>) => TContext,
): Envelope<TContext> {
  if (!isPlainObject(detail)) throw new InvalidEnvelopeError('detail', `must be an object (${describe(detail)})`);
  const { createdAt, correlationId, sequenceNr, idempotencyKey, persist, context } = detail;
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0) {
    throw new InvalidEnvelopeError('detail.createdAt', `must be epoch milliseconds (${describe(createdAt)})`);
  }
  if (!isUuid(correlationId)) {
    throw new InvalidEnvelopeError('detail.correlationId', `must be a UUID (${describe(correlationId)})`);
  }
  if (typeof sequenceNr !== 'number' || !Number.isSafeInteger(sequenceNr) || sequenceNr < 1) {
    throw new InvalidEnvelopeError('detail.sequenceNr', `must be an integer >= 1 (${describe(sequenceNr)})`);
  }
  if (
    typeof idempotencyKey !== 'string' ||
    idempotencyKey.length === 0 ||
    idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH
  ) {
    throw new InvalidEnvelopeError(
      'detail.idempotencyKey',
      `must be a string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters (${describe(idempotencyKey)})`,
    );
  }
  if (typeof persist !== 'boolean') {
    throw new InvalidEnvelopeError('detail.persist', `must be true or false (${describe(persist)})`);
  }
  if (!isPlainObject(context)) {
    throw new InvalidEnvelopeError('detail.context', `must be an object (${describe(context)})`);
  }
  return {
    createdAt,
    correlationId,
    sequenceNr,
    idempotencyKey,
    persist,
    context: parseContext ? parseContext(context) : (context as TContext),
  };
}
