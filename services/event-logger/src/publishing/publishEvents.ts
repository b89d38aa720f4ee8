import { type EventPublisher, EventTooLargeError, isUuid, PublishFailedError } from '@blueprints/common';
import { HttpError } from '../http/responses.js';
import type { EventInput } from './publishRequest.js';

export interface PublishResult {
  correlationId: string;
  events: Array<{ eventId: string; detailType: string; sequenceNr: number; idempotencyKey: string }>;
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

/**
 * Publishes a request's events through one publisher, so they share its correlationId and are numbered in
 * request order. Maps an oversized event to 413 and events EventBridge finally refused to 502 (listing
 * which were and were not published, so the client can retry just those with the same idempotency keys).
 */
export async function publishEvents(publisher: EventPublisher, inputs: EventInput[]): Promise<PublishResult> {
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
  try {
    const published = await publisher.flush();
    return {
      correlationId: publisher.correlationId,
      events: published.map(({ eventId, detailType, sequenceNr, idempotencyKey }) => ({
        eventId,
        detailType,
        sequenceNr,
        idempotencyKey,
      })),
    };
  } catch (error) {
    if (!(error instanceof PublishFailedError)) throw error;
    const reasons = [...new Set(error.failed.map((f) => `${f.errorCode} (${f.errorMessage})`))].join('; ');
    throw new HttpError(502, `${error.failed.length} of ${inputs.length} events were not published: ${reasons}`, [], {
      correlationId: publisher.correlationId,
      published: error.published,
      failed: error.failed.map(({ sequenceNr, detailType, idempotencyKey, errorCode, errorMessage, attempts }) => ({
        sequenceNr,
        detailType,
        idempotencyKey,
        errorCode,
        errorMessage,
        attempts,
      })),
    });
  }
}
