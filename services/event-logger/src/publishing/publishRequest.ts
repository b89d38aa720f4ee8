import { MAX_IDEMPOTENCY_KEY_LENGTH } from '@blueprints/common';
import { HttpError } from '../http/responses.js';

/** One event as a client sends it to `POST /events`. */
export interface EventInput {
  detailType: string;
  context: Record<string, unknown>;
  persist: boolean;
  idempotencyKey?: string;
}

export const MAX_EVENTS_PER_REQUEST = 50;
const MAX_DETAIL_TYPE_LENGTH = 128;
const EVENT_FIELDS = new Set(['detailType', 'context', 'persist', 'idempotencyKey']);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Validates a `POST /events` body: one event `{ detailType, context, persist?, idempotencyKey? }` or
 * `{ events: [...] }`, and stamps every event with the caller's tenant as `context.brand` (it keys the fair
 * queue and scopes storage and queries). A `context.brand` in the body must be that tenant or absent: a
 * caller cannot publish as another tenant. Throws a 400 {@link HttpError} listing every problem.
 *
 * @example
 * parsePublishRequest({ events: [{ detailType: 'order.placed', context: { orderId: 'o-1' }, persist: true }] }, 'A');
 * // [{ detailType: 'order.placed', context: { orderId: 'o-1', brand: 'A' }, persist: true }]
 */
export function parsePublishRequest(body: unknown, tenant: string): EventInput[] {
  if (!isObject(body)) throw new HttpError(400, 'Request body must be a JSON object');
  const single = !('events' in body);
  const raw = single ? [body] : body.events;
  if (!Array.isArray(raw)) throw new HttpError(400, 'Invalid request', ['events must be an array']);
  if (raw.length === 0 || raw.length > MAX_EVENTS_PER_REQUEST) {
    throw new HttpError(400, 'Invalid request', [`events must hold 1 to ${MAX_EVENTS_PER_REQUEST} events`]);
  }
  if (!single && Object.keys(body).some((k) => k !== 'events')) {
    throw new HttpError(400, 'Invalid request', [
      `unknown field(s) ${Object.keys(body)
        .filter((k) => k !== 'events')
        .join(', ')} beside events`,
    ]);
  }
  const problems: string[] = [];
  const events: EventInput[] = [];
  raw.forEach((item, i) => {
    const at = single ? '' : `events[${i}].`;
    if (!isObject(item)) {
      problems.push(`${at || 'event '}must be an object`.trim());
      return;
    }
    const unknown = Object.keys(item).filter((k) => !EVENT_FIELDS.has(k));
    if (unknown.length) problems.push(`${at}${unknown.join(', ')}: unknown field(s)`);
    const { detailType, context, persist, idempotencyKey } = item;
    if (typeof detailType !== 'string' || detailType.trim() === '' || detailType.length > MAX_DETAIL_TYPE_LENGTH) {
      problems.push(`${at}detailType must be a non-empty string of at most ${MAX_DETAIL_TYPE_LENGTH} characters`);
    }
    if (!isObject(context)) problems.push(`${at}context must be an object`);
    if (persist !== undefined && typeof persist !== 'boolean') problems.push(`${at}persist must be true or false`);
    if (
      idempotencyKey !== undefined &&
      (typeof idempotencyKey !== 'string' ||
        idempotencyKey.length === 0 ||
        idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    ) {
      problems.push(`${at}idempotencyKey must be a string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
    }
    if (isObject(context) && context.brand !== undefined && context.brand !== tenant) {
      problems.push(`${at}context.brand must be your tenant (${tenant}) or left out: it is set from your identity`);
    }
    if (problems.length === 0) {
      events.push({
        detailType: detailType as string,
        context: { ...(context as Record<string, unknown>), brand: tenant },
        persist: persist === true,
        ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}),
      });
    }
  });
  if (problems.length) throw new HttpError(400, 'Invalid request', problems);
  return events;
}
