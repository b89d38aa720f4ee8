import { parseEnvelope } from '@blueprints/common';
import type { SQSRecord } from 'aws-lambda';
import { MalformedEventError } from '../storage/storedEvent.js';

/** What the consumer learned from one fair-queue message. */
export interface BrandOrderReceipt {
  brand: string;
  eventId: string;
  detailType: string;
  correlationId: string;
  sequenceNr: number;
  /** The SQS message group (tenant) the message was delivered under. */
  messageGroupId: string | undefined;
  /** Time the message waited in the queue: the number fair queues keep even across tenants. */
  queueWaitMs: number;
  /** Time since the producer created the event. */
  endToEndMs: number;
}

/** Thrown when a message's group is not the brand in its envelope (the rule's MessageGroupId path is wrong). */
export class TenantMismatchError extends Error {
  constructor(messageGroupId: string, brand: string) {
    super(`Message group "${messageGroupId}" does not match context.brand "${brand}"`);
    this.name = 'TenantMismatchError';
  }
}

function parseBrand(context: Record<string, unknown>): { brand: string } {
  if (typeof context.brand !== 'string' || context.brand === '') {
    throw new MalformedEventError('detail.context.brand is missing: fair-queue events are keyed by brand');
  }
  return { brand: context.brand };
}

/**
 * Reads one fair-queue message (an EventBridge event whose envelope names its tenant in `context.brand`, sent with
 * `MessageGroupId` = that brand) and measures how long it waited.
 *
 * @example
 * const receipt = receiveBrandOrder(record); // { brand: 'A', messageGroupId: 'A', queueWaitMs: 12, ... }
 */
export function receiveBrandOrder(record: Pick<SQSRecord, 'body' | 'attributes'>, now = Date.now()): BrandOrderReceipt {
  const event = JSON.parse(record.body) as Record<string, unknown>;
  if (typeof event?.id !== 'string') throw new MalformedEventError('"id" is missing');
  const envelope = parseEnvelope(event.detail, parseBrand);
  const messageGroupId = record.attributes.MessageGroupId;
  if (messageGroupId !== undefined && messageGroupId !== envelope.context.brand) {
    throw new TenantMismatchError(messageGroupId, envelope.context.brand);
  }
  const sentAt = Number(record.attributes.SentTimestamp);
  return {
    brand: envelope.context.brand,
    eventId: event.id,
    detailType: String(event['detail-type']),
    correlationId: envelope.correlationId,
    sequenceNr: envelope.sequenceNr,
    messageGroupId,
    queueWaitMs: Number.isFinite(sentAt) ? Math.max(0, now - sentAt) : 0,
    endToEndMs: Math.max(0, now - envelope.createdAt),
  };
}
