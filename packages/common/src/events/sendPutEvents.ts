import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Deadline } from '../aws/Deadline.js';
import { PUT_EVENTS_MAX_ENTRIES, PUT_EVENTS_MAX_ENTRY_BYTES, PUT_EVENTS_MAX_REQUEST_BYTES } from '../limits.js';
import { DEFAULT_PUBLISH_RETRY_POLICY, fullJitterBackoff, type PublishRetryPolicy } from './backoff.js';
import { classifyCallError, RETRYABLE_ENTRY_CODES } from './callFailure.js';
import { EventTooLargeError } from './errors.js';
import { eventEntrySize } from './eventEntrySize.js';

/**
 * What became of one entry:
 * - `published`: EventBridge returned an EventId for it;
 * - `failed`: it was not put on the bus as far as anyone can tell: refused, never sent, or its result had
 *   no EventId (a result without EventId is never taken as success);
 * - `unknown`: a request carrying it was sent and the answer was lost (timeout, abort, reset, unreadable
 *   body, or a response whose result count does not match the entries, so results cannot be matched to
 *   entries); it may be on the bus.
 */
export type EntryOutcome =
  | { status: 'published'; eventId: string; attempts: number }
  | { status: 'failed' | 'unknown'; errorCode: string; errorMessage: string; attempts: number };

export interface SendPutEventsOptions {
  retry?: Partial<PublishRetryPolicy>;
  /**
   * Stop retrying and abandon calls in flight at this deadline. Entries not yet sent come back `failed`
   * (`DeadlineExceeded`), entries in an abandoned call `unknown`.
   */
  deadline?: Deadline;
  /** PutEvents calls in flight at once (default 4): a slow endpoint costs one call's time per 40 entries. */
  concurrency?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests: a value in [0, 1). */
  random?: () => number;
}

interface Slot {
  index: number;
  entry: PutEventsRequestEntry;
  size: number;
  attempts: number;
  /** A call carrying this entry may have been processed. */
  maybeSent: boolean;
  errorCode: string;
  errorMessage: string;
  outcome?: EntryOutcome;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The least time a retry must have before the deadline, whatever earlier calls took: a call on a new
 * connection, or in a container that stalls for a moment, takes longer than the calls before it, and a
 * retry the deadline cuts off turns a known failure into an unknown.
 */
const MIN_RETRY_WINDOW_MS = 250;

/**
 * The one PutEvents sender: publishes `entries` in as few calls as the limits allow
 * (`PUT_EVENTS_MAX_ENTRIES` and `PUT_EVENTS_MAX_REQUEST_BYTES` per call), retries only entries that failed
 * with a retryable code (full-jitter exponential backoff), stops at the deadline, and returns one
 * {@link EntryOutcome} per entry, in the order given. It throws only {@link EventTooLargeError}, before
 * sending anything, when an entry can never fit. Give the client `maxAttempts: 1` so this alone retries.
 *
 * @example
 * const outcomes = await sendPutEvents(client, [{ EventBusName: 'orders', Source: 'shop', DetailType: 'x', Detail: '{}' }], {
 *   deadline: Deadline.fromContext(context),
 * });
 * outcomes[0]; // { status: 'published', eventId: '…', attempts: 1 }
 */
export async function sendPutEvents(
  client: Pick<EventBridgeClient, 'send'>,
  entries: readonly PutEventsRequestEntry[],
  options: SendPutEventsOptions = {},
): Promise<EntryOutcome[]> {
  const slots = entries.map((entry, index): Slot => {
    const size = eventEntrySize(entry);
    if (size > PUT_EVENTS_MAX_ENTRY_BYTES) {
      throw new EventTooLargeError(String(entry.DetailType ?? ''), size, PUT_EVENTS_MAX_ENTRY_BYTES, index);
    }
    return { index, entry, size, attempts: 0, maybeSent: false, errorCode: '', errorMessage: '' };
  });
  const policy = { ...DEFAULT_PUBLISH_RETRY_POLICY, ...options.retry };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be an integer >= 1, got ${policy.maxAttempts}`);
  }
  const batches = [...putEventsBatches(slots)];
  const sender = new BatchSender(client, policy, options);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as Slot[];
      await sender.send(batch);
    }
  };
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  return slots.map((slot) => slot.outcome as EntryOutcome);
}

/** Groups entries, in order, into PutEvents-sized batches. */
function* putEventsBatches(slots: Slot[]): Generator<Slot[]> {
  let batch: Slot[] = [];
  let bytes = 0;
  for (const slot of slots) {
    if (batch.length === PUT_EVENTS_MAX_ENTRIES || bytes + slot.size > PUT_EVENTS_MAX_REQUEST_BYTES) {
      if (batch.length > 0) yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(slot);
    bytes += slot.size;
  }
  if (batch.length > 0) yield batch;
}

/** Sends one batch until every entry has an outcome: retries what can be retried while time allows. */
class BatchSender {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly deadline: Deadline | undefined;

  constructor(
    private readonly client: Pick<EventBridgeClient, 'send'>,
    private readonly policy: PublishRetryPolicy,
    options: SendPutEventsOptions,
  ) {
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.deadline = options.deadline;
  }

  async send(batch: Slot[]): Promise<void> {
    let remaining = batch;
    let longestCallMs = 0;
    for (let attempt = 1; remaining.length > 0; attempt++) {
      if (this.deadline?.expired) {
        for (const slot of remaining) this.giveUp(slot, 'DeadlineExceeded', 'the deadline passed before a retry');
        return;
      }
      const started = Date.now();
      const retry = await this.attempt(remaining);
      if (retry.length === 0) return;
      const wait = fullJitterBackoff(attempt, this.policy, this.random);
      // A retry is worth starting only if it can finish: one that the deadline cuts off mid-call turns a
      // known failure into an unknown. It must have twice the longest call so far (calls grow with a slow
      // endpoint or a busy container), and never less than MIN_RETRY_WINDOW_MS.
      longestCallMs = Math.max(longestCallMs, Date.now() - started);
      const neededMs = Math.max(2 * longestCallMs, MIN_RETRY_WINDOW_MS);
      if (attempt >= this.policy.maxAttempts || (this.deadline && wait + neededMs >= this.deadline.remainingMs())) {
        for (const slot of retry) this.giveUp(slot, slot.errorCode, slot.errorMessage);
        return;
      }
      await this.sleep(wait);
      remaining = retry;
    }
  }

  /** One PutEvents call; settles what it can and returns the entries worth another try. */
  private async attempt(slots: Slot[]): Promise<Slot[]> {
    for (const slot of slots) slot.attempts++;
    let results: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string } | undefined>;
    try {
      const output = await this.client.send(
        new PutEventsCommand({ Entries: slots.map((s) => s.entry) }),
        this.deadline ? { abortSignal: this.deadline.signal() } : {},
      );
      results = output.Entries ?? [];
    } catch (error) {
      const failure = classifyCallError(error);
      for (const slot of slots) {
        slot.maybeSent ||= failure.maybeSent;
        slot.errorCode = failure.code;
        slot.errorMessage = failure.message;
      }
      if (failure.retryable) return slots;
      for (const slot of slots) this.giveUp(slot, failure.code, failure.message);
      return [];
    }
    if (results.length !== slots.length) {
      // Results are matched to entries by position only; with some missing, no result can be trusted to
      // belong to its entry. The call was processed, so any of them may be on the bus: retry them all.
      for (const slot of slots) {
        slot.maybeSent = true;
        slot.errorCode = 'MismatchedResults';
        slot.errorMessage = `the PutEvents response has ${results.length} results for ${slots.length} entries`;
      }
      return slots;
    }
    const retry: Slot[] = [];
    slots.forEach((slot, i) => {
      const result = results[i];
      if (result?.EventId && !result.ErrorCode) {
        slot.outcome = { status: 'published', eventId: result.EventId, attempts: slot.attempts };
        return;
      }
      // A result with neither EventId nor ErrorCode confirms nothing: never count it as sent.
      slot.errorCode = result?.ErrorCode ?? 'MissingResult';
      slot.errorMessage = result?.ErrorMessage ?? 'the PutEvents result for this entry has no EventId';
      if (!result?.ErrorCode || RETRYABLE_ENTRY_CODES.has(result.ErrorCode)) retry.push(slot);
      else this.giveUp(slot, slot.errorCode, slot.errorMessage);
    });
    return retry;
  }

  /** Final outcome of an entry that was never confirmed: unknown if any call carrying it may have landed. */
  private giveUp(slot: Slot, errorCode: string, errorMessage: string): void {
    slot.outcome = {
      status: slot.maybeSent ? 'unknown' : 'failed',
      errorCode,
      errorMessage,
      attempts: slot.attempts,
    };
  }
}
