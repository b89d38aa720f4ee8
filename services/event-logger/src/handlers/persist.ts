import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { integerEnv, requiredEnv } from '@blueprints/common';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EventStore } from '../storage/EventStore.js';
import { S3EventBodies } from '../storage/S3EventBodies.js';
import { storedEventFrom, tenantOf } from '../storage/storedEvent.js';

const TABLE_NAME = requiredEnv('TABLE_NAME');
const LARGE_EVENTS_BUCKET = requiredEnv('LARGE_EVENTS_BUCKET');
const IDEMPOTENCY_TTL_DAYS = integerEnv('IDEMPOTENCY_TTL_DAYS', 7, { min: 1, max: 365 });

const store = new EventStore(
  new DynamoDBClient({ requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 } }),
  TABLE_NAME,
  {
    idempotencyTtlSeconds: IDEMPOTENCY_TTL_DAYS * 24 * 3600,
    largeBodies: new S3EventBodies(new S3Client({}), LARGE_EVENTS_BUCKET),
  },
);
const processor = new BatchProcessor(EventType.SQS);
const logger = new Logger();

async function persistRecord(record: SQSRecord): Promise<void> {
  const event = storedEventFrom(JSON.parse(record.body));
  const outcome = await store.saveOnce(event);
  logger.info(outcome === 'written' ? 'event persisted' : 'duplicate skipped', {
    eventId: event.id,
    tenant: tenantOf(event),
    detailType: event.detailType,
    correlationId: event.correlationId,
    sequenceNr: event.sequenceNr,
    idempotencyKey: event.idempotencyKey,
  });
}

/**
 * SQS → DynamoDB: stores each persisted event once. A record that fails (malformed envelope, no tenant,
 * DynamoDB error) is reported back alone and retried; after maxReceiveCount it lands in the DLQ.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, persistRecord, processor, { context });
