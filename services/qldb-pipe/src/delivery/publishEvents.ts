import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EventTooLargeForBusError, PublishEventsError } from '../errors.js';

/** PutEvents limits: 10 entries and 256 KB per request. */
export const MAX_ENTRIES_PER_PUT = 10;
export const MAX_PUT_BYTES = 256 * 1024;
const RETRYABLE = new Set(['ThrottlingException', 'InternalFailure', 'InternalException']);

/** An entry to publish and a label naming its origin in errors (e.g. the Kinesis sequence number). */
export interface LabelledEntry {
  label: string;
  entry: PutEventsRequestEntry;
}

export interface PublishOptions {
  /** Attempts per entry for retryable per-entry errors (ThrottlingException, InternalFailure). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The size EventBridge charges an entry against the 256 KB limit: 14 bytes for Time plus the UTF-8
 * bytes of Source, DetailType, Detail and each Resource.
 */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  let size = 14;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (text) size += Buffer.byteLength(text, 'utf8');
  }
  return size;
}

/** Splits entries into PutEvents requests of at most 10 entries and 256 KB each, keeping order. */
export function chunkForPutEvents(entries: LabelledEntry[]): LabelledEntry[][] {
  const chunks: LabelledEntry[][] = [];
  let current: LabelledEntry[] = [];
  let bytes = 0;
  for (const item of entries) {
    const size = putEventsEntrySize(item.entry);
    if (size > MAX_PUT_BYTES) throw new EventTooLargeForBusError(item.label, size);
    if (current.length === MAX_ENTRIES_PER_PUT || bytes + size > MAX_PUT_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Publishes every entry with as few PutEvents calls as the limits allow, retrying entries that fail
 * with a retryable error (exponential backoff with full jitter). Throws {@link PublishEventsError}
 * listing the entries EventBridge rejected for good; throws {@link EventTooLargeForBusError} before
 * sending anything when one entry can never fit.
 *
 * @example
 * await publishEvents(new EventBridgeClient({}), [{ label: 'seq 1', entry: { EventBusName, Source, DetailType, Detail } }]);
 */
export async function publishEvents(
  client: Pick<EventBridgeClient, 'send'>,
  entries: LabelledEntry[],
  options: PublishOptions = {},
): Promise<{ requests: number }> {
  const { maxAttempts = 4, baseDelayMs = 100, maxDelayMs = 2000, sleep = realSleep } = options;
  let pending = entries;
  let requests = 0;
  const rejected: PublishEventsError['failures'] = [];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: LabelledEntry[] = [];
    for (const chunk of chunkForPutEvents(pending)) {
      requests++;
      const output = await client.send(new PutEventsCommand({ Entries: chunk.map((c) => c.entry) }));
      if (!output.FailedEntryCount) continue;
      (output.Entries ?? []).forEach((result, i) => {
        const item = chunk[i];
        if (!item || !result.ErrorCode) return;
        if (RETRYABLE.has(result.ErrorCode) && attempt < maxAttempts) retry.push(item);
        else rejected.push({ label: item.label, errorCode: result.ErrorCode, errorMessage: result.ErrorMessage ?? '' });
      });
    }
    pending = retry;
    if (pending.length > 0) {
      await sleep(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
    }
  }
  if (rejected.length > 0) throw new PublishEventsError(rejected);
  return { requests };
}
