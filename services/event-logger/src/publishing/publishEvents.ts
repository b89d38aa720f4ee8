import {
  type Deadline,
  type EventPublisher,
  EventTooLargeError,
  type FailedEvent,
  isUuid,
  type PublishOutcomes,
} from '@blueprints/common';
import { HttpError } from '../http/responses.js';
import type { EventInput } from './publishRequest.js';

export interface PublishResult {
  correlationId: string;
  events: Array<{ eventId: string; detailType: string; sequenceNr: number; idempotencyKey: string }>;
}

/** An event that was not confirmed, as the client sees it: the AWS error code, never the message. */
export interface UnconfirmedEvent {
  sequenceNr: number;
  detailType: string;
  idempotencyKey: string;
  errorCode: string;
  attempts: number;
}

/**
 * The correlation id of a request: the client's `x-correlation-id` header when it sends one (so a retried
 * request reuses the same default idempotency keys and the persisted log stays exactly-once), else undefined.
 */
export function correlationIdFromHeaders(headers: Record<string, string | undefined> | undefined): string | undefined {
  const value = headers?.['x-correlation-id'];
  if (value === undefined) return undefined;
  if (!isUuid(value)) throw new HttpError(400, 'Invalid request', ['x-correlation-id header must be a UUID']);
  return value.toLowerCase();
}

// AWS error messages can name the function's role and the bus ARN (AccessDeniedException does): the client
// gets the code, the log gets the message.
function unconfirmed({ sequenceNr, detailType, idempotencyKey, errorCode, attempts }: FailedEvent): UnconfirmedEvent {
  return { sequenceNr, detailType, idempotencyKey, errorCode, attempts };
}

/** Thrown when some events were not confirmed as published; the 502 body lists all three outcomes. */
export class EventsNotPublishedError extends HttpError {
  constructor(
    correlationId: string,
    total: number,
    readonly outcomes: PublishOutcomes,
  ) {
    const { published, failed, unknown } = outcomes;
    const codes = [...new Set([...failed, ...unknown].map((f) => f.errorCode))].join(', ');
    super(
      502,
      `${failed.length + unknown.length} of ${total} events were not confirmed as published (${failed.length} failed, ${unknown.length} unknown): ${codes}`,
      [],
      {
        correlationId,
        published: published.map(({ eventId, detailType, sequenceNr, idempotencyKey }) => ({
          eventId,
          detailType,
          sequenceNr,
          idempotencyKey,
        })),
        failed: failed.map(unconfirmed),
        unknown: unknown.map(unconfirmed),
      },
    );
    this.name = 'EventsNotPublishedError';
  }

  override logDetails(): Record<string, unknown> {
    const detail = ({ sequenceNr, errorCode, errorMessage, attempts }: FailedEvent) => ({
      sequenceNr,
      errorCode,
      errorMessage,
      attempts,
    });
    return {
      correlationId: this.extra.correlationId,
      published: this.outcomes.published.length,
      failed: this.outcomes.failed.map(detail),
      unknown: this.outcomes.unknown.map(detail),
    };
  }
}

/**
 * Publishes a request's events through one publisher, so they share its correlationId and are numbered in
 * request order, stopping at `deadline`. Maps an oversized event to 413 (nothing sent) and anything not
 * confirmed to {@link EventsNotPublishedError} (502): `failed` events are certainly not on the bus, `unknown`
 * ones may be; retrying either with the same idempotency keys (and `x-correlation-id`) is safe.
 */
export async function publishEvents(
  publisher: EventPublisher,
  inputs: EventInput[],
  deadline?: Deadline,
): Promise<PublishResult> {
  inputs.forEach((input, index) => {
    try {
      publisher.publish(input.detailType, input.context, {
        persist: input.persist,
        ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
      });
    } catch (error) {
      if (error instanceof EventTooLargeError) {
        throw new HttpError(413, `Event ${index} is too large for EventBridge`, [error.message]);
      }
      throw error;
    }
  });
  const outcomes = await publisher.flushOutcomes(deadline ? { deadline } : {});
  if (outcomes.failed.length > 0 || outcomes.unknown.length > 0) {
    throw new EventsNotPublishedError(publisher.correlationId, inputs.length, outcomes);
  }
  return {
    correlationId: publisher.correlationId,
    events: outcomes.published.map(({ eventId, detailType, sequenceNr, idempotencyKey }) => ({
      eventId,
      detailType,
      sequenceNr,
      idempotencyKey,
    })),
  };
}
