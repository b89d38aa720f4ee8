import { randomUUID } from 'node:crypto';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Deadline } from '../aws/Deadline.js';
import { PUT_EVENTS_MAX_ENTRY_BYTES } from '../limits.js';
import { DEFAULT_PUBLISH_RETRY_POLICY, type PublishRetryPolicy } from './backoff.js';
import { type Envelope, isUuid, MAX_IDEMPOTENCY_KEY_LENGTH } from './envelope.js';
import {
  EventTooLargeError,
  type FailedEvent,
  InvalidEnvelopeError,
  PublishFailedError,
  type UnknownEvent,
} from './errors.js';
import { eventEntrySize } from './eventEntrySize.js';
import { type EntryOutcome, sendPutEvents } from './sendPutEvents.js';

export interface EventPublisherOptions {
  /** Any client with `send` (an `EventBridgeClient`). Give it `maxAttempts: 1` so this publisher alone decides retries. */
  client: Pick<EventBridgeClient, 'send'>;
  /** Name or ARN of the bus. */
  eventBusName: string;
  /** `Source` of every event, e.g. `blueprints.orders`. */
  source: string;
  /** The request's correlation id (a UUID); a new one when omitted. */
  correlationId?: string;
  retry?: Partial<PublishRetryPolicy>;
  /**
   * Every flush stops at this deadline (e.g. `Deadline.fromContext(context)`) unless `flush` is given
   * its own: no retry starts, and no call stays in flight, past it.
   */
  deadline?: Deadline;
  /** PutEvents calls in flight at once during a flush (default 4). */
  concurrency?: number;
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

/** What one flush did with each of its events, each event in exactly one list, in sequence order. */
export interface PublishOutcomes {
  published: PublishedEvent[];
  /** Certainly not on the bus. */
  failed: FailedEvent[];
  /** Sent, answer lost: may be on the bus (consumers deduplicate on the idempotency key). */
  unknown: UnknownEvent[];
}

export interface FlushOptions {
  /** Overrides the publisher's deadline for this flush. */
  deadline?: Deadline;
}

interface Queued {
  queued: QueuedEvent;
  entry: FailedEvent['entry'];
}

/**
 * Publishes a unit of work's events to EventBridge, in envelopes that share one correlationId and number
 * themselves 1, 2, 3… in publish order. `publish()` only queues (and rejects events that can never fit);
 * `flush()` sends them through {@link sendPutEvents} (PutEvents calls of at most 10 entries and
 * `PUT_EVENTS_MAX_REQUEST_BYTES`, retrying only entries that failed with a retryable code, with full-jitter
 * exponential backoff, stopping at the deadline) and reports each event as published, failed or unknown.
 *
 * @example
 * const publisher = new EventPublisher({ client, eventBusName: 'orders', source: 'shop.checkout' });
 * publisher.publish('order.placed', { brand: 'A', orderId: 'o-1' }, { persist: true });
 * publisher.publish('email.requested', { to: 'a@example.com' });
 * const published = await publisher.flush(); // [{ eventId, sequenceNr: 1, ... }, { ..., sequenceNr: 2 }]
 * // or, never throwing for delivery problems:
 * const { published, failed, unknown } = await publisher.flushOutcomes({ deadline: Deadline.fromContext(context) });
 */
export class EventPublisher {
  readonly correlationId: string;
  private readonly client: Pick<EventBridgeClient, 'send'>;
  private readonly eventBusName: string;
  private readonly source: string;
  private readonly retry: PublishRetryPolicy;
  private readonly sleep: ((ms: number) => Promise<void>) | undefined;
  private readonly random: (() => number) | undefined;
  private readonly now: () => number;
  private readonly deadline: Deadline | undefined;
  private readonly concurrency: number | undefined;
  private readonly queue: Queued[] = [];
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
    this.sleep = options.sleep;
    this.random = options.random;
    this.now = options.now ?? Date.now;
    this.deadline = options.deadline;
    this.concurrency = options.concurrency;
  }

  /** Events queued and not yet flushed. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues one event. Throws {@link EventTooLargeError} (and queues nothing, using no sequence number)
   * when its entry is larger than `PUT_EVENTS_MAX_ENTRY_BYTES`.
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
    const entry: Queued['entry'] = {
      Source: this.source,
      DetailType: detailType,
      Detail: JSON.stringify(envelope),
      EventBusName: this.eventBusName,
      ...(options.resources?.length ? { Resources: [...options.resources] } : {}),
    };
    const sizeBytes = eventEntrySize(entry);
    if (sizeBytes > PUT_EVENTS_MAX_ENTRY_BYTES) {
      throw new EventTooLargeError(detailType, sizeBytes, PUT_EVENTS_MAX_ENTRY_BYTES);
    }
    this.lastSequenceNr = sequenceNr;
    const queued: QueuedEvent<TContext> = { detailType, envelope, sizeBytes };
    this.queue.push({ queued, entry });
    return queued;
  }

  /**
   * Sends every event queued so far. Resolves with the published events in sequence order; throws
   * {@link PublishFailedError} when any event was not confirmed (its `failed` and `unknown` lists say
   * which; the rest were still sent). Overlapping calls each take the events queued before them and send
   * one after the other.
   */
  async flush(options: FlushOptions = {}): Promise<PublishedEvent[]> {
    const { published, failed, unknown } = await this.flushOutcomes(options);
    if (failed.length > 0 || unknown.length > 0) {
      throw new PublishFailedError(
        failed,
        published.map(({ sequenceNr, eventId }) => ({ sequenceNr, eventId })),
        unknown,
      );
    }
    return published;
  }

  /**
   * Like {@link flush}, but reports instead of throwing: every event queued so far lands in exactly one of
   * `published`, `failed` or `unknown`. Resolves before the deadline (plus the time to notice it).
   */
  flushOutcomes(options: FlushOptions = {}): Promise<PublishOutcomes> {
    const items = this.queue.splice(0, this.queue.length);
    const run = this.flushing.then(() => this.send(items, options.deadline ?? this.deadline));
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async send(items: Queued[], deadline: Deadline | undefined): Promise<PublishOutcomes> {
    const outcomes = await sendPutEvents(
      this.client,
      items.map((i) => i.entry),
      {
        retry: this.retry,
        ...(deadline ? { deadline } : {}),
        ...(this.concurrency ? { concurrency: this.concurrency } : {}),
        ...(this.sleep ? { sleep: this.sleep } : {}),
        ...(this.random ? { random: this.random } : {}),
      },
    );
    const result: PublishOutcomes = { published: [], failed: [], unknown: [] };
    items.forEach((item, index) => {
      const outcome = outcomes[index] as EntryOutcome;
      const { envelope, detailType } = item.queued;
      if (outcome.status === 'published') {
        result.published.push({
          eventId: outcome.eventId,
          detailType,
          sequenceNr: envelope.sequenceNr,
          idempotencyKey: envelope.idempotencyKey,
          createdAt: envelope.createdAt,
        });
        return;
      }
      result[outcome.status].push({
        detailType,
        sequenceNr: envelope.sequenceNr,
        idempotencyKey: envelope.idempotencyKey,
        entry: item.entry,
        errorCode: outcome.errorCode,
        errorMessage: outcome.errorMessage,
        attempts: outcome.attempts,
      });
    });
    return result;
  }
}
