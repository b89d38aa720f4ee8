import { randomUUID } from 'node:crypto';
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DEFAULT_PUBLISH_RETRY_POLICY, fullJitterBackoff, type PublishRetryPolicy } from './backoff.js';
import { type Envelope, isUuid, MAX_IDEMPOTENCY_KEY_LENGTH } from './envelope.js';
import { EventTooLargeError, type FailedEvent, InvalidEnvelopeError, PublishFailedError } from './errors.js';
import { eventEntrySize, MAX_ENTRIES_PER_PUT_EVENTS, MAX_PUT_EVENTS_BYTES } from './eventEntrySize.js';

export interface EventPublisherOptions {
  /** Any client with `send` (an `EventBridgeClient`). Give it `maxAttempts: 1` so this publisher alone decides retries. */
  client: Pick<EventBridgeClient, 'send'>;
  /** Name or ARN of the bus. */
  eventBusName: string;
  /** `Source` of every event, e.g. `blueprints.event-logger`. */
  source: string;
  /** The request's correlation id (a UUID); a new one when omitted. */
  correlationId?: string;
  retry?: Partial<PublishRetryPolicy>;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests: a value in [0, 1). */
  random?: () => number;
  /** Injectable for tests: epoch ms. */
  now?: () => number;
}

export interface PublishOptions {
  /** Defaults to `${correlationId}:${sequenceNr}`: stable across retries of this publisher, unique per event. */
  idempotencyKey?: string;
  /** Defaults to false. */
  persist?: boolean;
  /** ARNs the event is about (EventBridge `Resources`). */
  resources?: string[];
}

/** An event accepted by `publish()` and waiting for `flush()`. */
export interface QueuedEvent<TContext = unknown> {
  detailType: string;
  envelope: Envelope<TContext>;
  sizeBytes: number;
}

/** An event EventBridge accepted. */
export interface PublishedEvent {
  eventId: string;
  detailType: string;
  sequenceNr: number;
  idempotencyKey: string;
  createdAt: number;
}

/** Per-entry error codes worth retrying (AWS: PutEvents partial failures). */
const RETRYABLE_ENTRY_CODES = new Set(['ThrottlingException', 'InternalFailure', 'InternalException']);
/** Whole-call errors worth retrying: throttling, server-side and transient network failures. */
const RETRYABLE_CALL_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'InternalFailure',
  'InternalException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

interface CallError {
  name?: string;
  code?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The Node network error code (ECONNREFUSED, ...) of a failed call, also when the SDK wrapped the error. */
function networkCode(e: CallError): string | undefined {
  if (e.code && RETRYABLE_NETWORK_CODES.has(e.code)) return e.code;
  const inMessage = /\b(E[A-Z_]{3,})\b/.exec(e.message ?? '')?.[1];
  return inMessage && RETRYABLE_NETWORK_CODES.has(inMessage) ? inMessage : undefined;
}

function callErrorCode(error: unknown): string {
  const e = (error ?? {}) as CallError;
  const network = networkCode(e);
  if (network) return network;
  return e.name && e.name !== 'Error' ? e.name : (e.code ?? 'Error');
}

function isRetryableCallError(error: unknown): boolean {
  const e = error as CallError;
  if (!e || typeof e !== 'object') return false;
  if (e.name && RETRYABLE_CALL_ERRORS.has(e.name)) return true;
  if (networkCode(e)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  return Boolean(e.$retryable);
}

interface InFlight {
  queued: QueuedEvent;
  entry: PutEventsRequestEntry & { Source: string; DetailType: string; Detail: string; EventBusName: string };
  attempts: number;
  errorCode: string;
  errorMessage: string;
}

/**
 * Publishes a unit of work's events to EventBridge, in envelopes that share one correlationId and number
 * themselves 1, 2, 3… in publish order. `publish()` only queues (and rejects events that can never fit);
 * `flush()` sends them in PutEvents calls of at most 10 entries and 256 KB, retrying only the entries that
 * failed with a retryable code, with full-jitter exponential backoff, and throws {@link PublishFailedError}
 * listing every event that finally failed.
 *
 * @example
 * const publisher = new EventPublisher({ client, eventBusName: 'orders', source: 'shop.checkout' });
 * publisher.publish('order.placed', { brand: 'A', orderId: 'o-1' }, { persist: true });
 * publisher.publish('email.requested', { to: 'a@example.com' });
 * const published = await publisher.flush(); // [{ eventId, sequenceNr: 1, ... }, { ..., sequenceNr: 2 }]
 */
export class EventPublisher {
  readonly correlationId: string;
  private readonly client: Pick<EventBridgeClient, 'send'>;
  private readonly eventBusName: string;
  private readonly source: string;
  private readonly retry: PublishRetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly queue: InFlight[] = [];
  private lastSequenceNr = 0;
  private flushing: Promise<unknown> = Promise.resolve();

  constructor(options: EventPublisherOptions) {
    if (options.correlationId !== undefined && !isUuid(options.correlationId)) {
      throw new InvalidEnvelopeError(
        'detail.correlationId',
        `must be a UUID (got ${JSON.stringify(options.correlationId)})`,
      );
    }
    this.client = options.client;
    this.eventBusName = options.eventBusName;
    this.source = options.source;
    this.correlationId = options.correlationId ?? randomUUID();
    this.retry = { ...DEFAULT_PUBLISH_RETRY_POLICY, ...options.retry };
    if (!Number.isInteger(this.retry.maxAttempts) || this.retry.maxAttempts < 1) {
      throw new RangeError(`retry.maxAttempts must be an integer >= 1, got ${this.retry.maxAttempts}`);
    }
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Events queued and not yet flushed. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues one event. Throws {@link EventTooLargeError} (and queues nothing, using no sequence number)
   * when the entry is larger than a whole PutEvents request may be.
   */
  publish<TContext extends object>(
    detailType: string,
    context: TContext,
    options: PublishOptions = {},
  ): QueuedEvent<TContext> {
    if (typeof detailType !== 'string' || detailType.trim() === '') {
      throw new TypeError('detailType must be a non-empty string');
    }
    const sequenceNr = this.lastSequenceNr + 1;
    const idempotencyKey = options.idempotencyKey ?? `${this.correlationId}:${sequenceNr}`;
    if (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new InvalidEnvelopeError(
        'detail.idempotencyKey',
        `must be a string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
      );
    }
    const envelope: Envelope<TContext> = {
      createdAt: this.now(),
      correlationId: this.correlationId,
      sequenceNr,
      idempotencyKey,
      persist: options.persist ?? false,
      context,
    };
    const entry: InFlight['entry'] = {
      Source: this.source,
      DetailType: detailType,
      Detail: JSON.stringify(envelope),
      EventBusName: this.eventBusName,
      ...(options.resources?.length ? { Resources: [...options.resources] } : {}),
    };
    const sizeBytes = eventEntrySize(entry);
    if (sizeBytes > MAX_PUT_EVENTS_BYTES) throw new EventTooLargeError(detailType, sizeBytes, MAX_PUT_EVENTS_BYTES);
    this.lastSequenceNr = sequenceNr;
    const queued: QueuedEvent<TContext> = { detailType, envelope, sizeBytes };
    this.queue.push({ queued, entry, attempts: 0, errorCode: '', errorMessage: '' });
    return queued;
  }

  /**
   * Sends every event queued so far. Resolves with the published events in sequence order; throws
   * {@link PublishFailedError} when any event was finally rejected (the rest were still sent).
   * Overlapping calls each take the events queued before them and send one after the other.
   */
  flush(): Promise<PublishedEvent[]> {
    const items = this.queue.splice(0, this.queue.length);
    const run = this.flushing.then(() => this.send(items));
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async send(items: InFlight[]): Promise<PublishedEvent[]> {
    const published: PublishedEvent[] = [];
    const failed: InFlight[] = [];
    for (const batch of this.batches(items)) {
      await this.sendBatch(batch, published, failed);
    }
    published.sort((a, b) => a.sequenceNr - b.sequenceNr);
    if (failed.length > 0) {
      failed.sort((a, b) => a.queued.envelope.sequenceNr - b.queued.envelope.sequenceNr);
      throw new PublishFailedError(
        failed.map(toFailedEvent),
        published.map(({ sequenceNr, eventId }) => ({ sequenceNr, eventId })),
      );
    }
    return published;
  }

  /** Groups items in order into PutEvents-sized batches. */
  private *batches(items: InFlight[]): Generator<InFlight[]> {
    let batch: InFlight[] = [];
    let bytes = 0;
    for (const item of items) {
      if (batch.length === MAX_ENTRIES_PER_PUT_EVENTS || bytes + item.queued.sizeBytes > MAX_PUT_EVENTS_BYTES) {
        yield batch;
        batch = [];
        bytes = 0;
      }
      batch.push(item);
      bytes += item.queued.sizeBytes;
    }
    if (batch.length > 0) yield batch;
  }

  private async sendBatch(batch: InFlight[], published: PublishedEvent[], failed: InFlight[]): Promise<void> {
    let remaining = batch;
    for (let attempt = 1; ; attempt++) {
      const retry: InFlight[] = [];
      for (const item of remaining) item.attempts++;
      try {
        const output = await this.client.send(new PutEventsCommand({ Entries: remaining.map((i) => i.entry) }));
        const results = output.Entries ?? [];
        remaining.forEach((item, index) => {
          const result = results[index];
          if (result?.EventId && !result.ErrorCode) {
            const { envelope, detailType } = item.queued;
            published.push({
              eventId: result.EventId,
              detailType,
              sequenceNr: envelope.sequenceNr,
              idempotencyKey: envelope.idempotencyKey,
              createdAt: envelope.createdAt,
            });
            return;
          }
          // A missing result entry means the response was cut short: the entry's fate is unknown, retry it.
          item.errorCode = result?.ErrorCode ?? 'InternalFailure';
          item.errorMessage = result?.ErrorMessage ?? (result ? 'no EventId returned' : 'no result returned for entry');
          (!result || RETRYABLE_ENTRY_CODES.has(item.errorCode) ? retry : failed).push(item);
        });
      } catch (error) {
        for (const item of remaining) {
          item.errorCode = callErrorCode(error);
          item.errorMessage = (error as Error)?.message ?? String(error);
        }
        (isRetryableCallError(error) ? retry : failed).push(...remaining);
      }
      if (retry.length === 0) return;
      if (attempt >= this.retry.maxAttempts) {
        failed.push(...retry);
        return;
      }
      await this.sleep(fullJitterBackoff(attempt, this.retry, this.random));
      remaining = retry;
    }
  }
}

function toFailedEvent(item: InFlight): FailedEvent {
  const { envelope, detailType } = item.queued;
  const { Source, DetailType, Detail, EventBusName, Resources } = item.entry;
  return {
    detailType,
    sequenceNr: envelope.sequenceNr,
    idempotencyKey: envelope.idempotencyKey,
    entry: { Source, DetailType, Detail, EventBusName, ...(Resources ? { Resources } : {}) },
    errorCode: item.errorCode,
    errorMessage: item.errorMessage,
    attempts: item.attempts,
  };
}
