import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_MAX_ITEM_BYTES } from '@blueprints/common';
import type { StoredEvent } from './storedEvent.js';

/**
 * What the event body may take in an item: the limit less room for the other attributes (ids, tenant,
 * index keys, an idempotency key of at most 256 characters: well under 4 KB together).
 */
export const INLINE_BODY_MAX_BYTES = DYNAMODB_MAX_ITEM_BYTES - 4 * 1024;

/** Where event bodies too large for an item go (the claim check): an S3 bucket, keyed by tenant and event id. */
export interface LargeEventBodies {
  put(key: string, body: Buffer, abortSignal?: AbortSignal): Promise<void>;
  get(key: string, abortSignal?: AbortSignal): Promise<Buffer>;
}

/** Thrown when an event too large for an item arrives and no bucket for large bodies is configured. */
export class EventTooLargeToStoreError extends Error {
  constructor(
    readonly eventId: string,
    readonly gzippedBytes: number,
  ) {
    super(
      `Event ${eventId} is ${gzippedBytes} bytes gzipped, more than an item holds (${INLINE_BODY_MAX_BYTES}), and no bucket for large events is configured`,
    );
    this.name = 'EventTooLargeToStoreError';
  }
}

/** Thrown when a stored item has none of the three body forms (written by something else). */
export class MissingEventBodyError extends Error {
  constructor(pk: string) {
    super(`Stored item ${pk} has no event body`);
    this.name = 'MissingEventBodyError';
  }
}

/** The S3 key of a claim-checked body: the tenant first, so a bucket policy or lifecycle rule can work per tenant. */
export function largeBodyKey(tenant: string, eventId: string): string {
  return `events/${tenant}/${eventId}.json.gz`;
}

/**
 * The body attribute of an event item, in the first form that fits in a DynamoDB item:
 * 1. `event` (S): the JSON as is, readable in the console, when it fits;
 * 2. `eventGzip` (B): gzipped JSON, when that fits (JSON usually shrinks 3–10×);
 * 3. `eventS3Key` (S): the gzipped JSON in S3 and a pointer in the item (the claim check).
 * The S3 object is written before the item, so a pointer never dangles; a retry rewrites the same object.
 *
 * @example
 * const body = await encodeEventBody(event, 'A', bodies); // { event: { S: '{"id":…}' } }
 */
export async function encodeEventBody(
  event: StoredEvent,
  tenant: string,
  bodies: LargeEventBodies | undefined,
  abortSignal?: AbortSignal,
): Promise<Record<string, AttributeValue>> {
  const json = JSON.stringify(event);
  if (Buffer.byteLength(json, 'utf8') <= INLINE_BODY_MAX_BYTES) return { event: { S: json } };
  const gzipped = gzipSync(json);
  if (gzipped.length <= INLINE_BODY_MAX_BYTES) return { eventGzip: { B: gzipped } };
  if (!bodies) throw new EventTooLargeToStoreError(event.id, gzipped.length);
  const key = largeBodyKey(tenant, event.id);
  await bodies.put(key, gzipped, abortSignal);
  return { eventS3Key: { S: key } };
}

/** Reads the event back from whichever form {@link encodeEventBody} chose. */
export async function decodeEventBody(
  item: Record<string, AttributeValue>,
  bodies: LargeEventBodies | undefined,
  abortSignal?: AbortSignal,
): Promise<StoredEvent> {
  if (item.event?.S !== undefined) return JSON.parse(item.event.S) as StoredEvent;
  if (item.eventGzip?.B !== undefined) return JSON.parse(gunzipSync(item.eventGzip.B).toString('utf8')) as StoredEvent;
  const key = item.eventS3Key?.S;
  if (key === undefined || !bodies) throw new MissingEventBodyError(String(item.pk?.S));
  return JSON.parse(gunzipSync(await bodies.get(key, abortSignal)).toString('utf8')) as StoredEvent;
}
