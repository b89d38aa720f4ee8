import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig, Deadline, integerEnv, onFirstUse, requiredEnv } from '@blueprints/common';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EventStore } from '../storage/EventStore.js';
import { S3EventBodies } from '../storage/S3EventBodies.js';
import { storedEventFrom, tenantOf } from '../storage/storedEvent.js';

const TABLE_NAME = requiredEnv('TABLE_NAME');
const LARGE_EVENTS_BUCKET = requiredEnv('LARGE_EVENTS_BUCKET');
const IDEMPOTENCY_TTL_DAYS = integerEnv('IDEMPOTENCY_TTL_DAYS', 7, { min: 1, max: 365 });
const FUNCTION_TIMEOUT_MS = integerEnv('FUNCTION_TIMEOUT_MS', Number(requiredEnv('FUNCTION_TIMEOUT_MS')), {
  min: 3_000,
  max: 900_000,
});

// A record makes up to three calls; each call (two SDK attempts) may take a fifth of the function timeout.
// The deadline, not these timeouts, ends the batch: records still waiting then fail fast and are retried.
const clientConfig = () => awsClientConfig({ functionTimeoutMs: FUNCTION_TIMEOUT_MS, maxAttempts: 2, callShare: 0.2 });
// The clients are built on the first request, not at init (see onFirstUse).
const store = onFirstUse(
  () =>
    new EventStore(new DynamoDBClient(clientConfig()), TABLE_NAME, {
      idempotencyTtlSeconds: IDEMPOTENCY_TTL_DAYS * 24 * 3600,
      largeBodies: new S3EventBodies(new S3Client(clientConfig()), LARGE_EVENTS_BUCKET),
    }),
);
const processor = new BatchProcessor(EventType.SQS);
const logger = new Logger();

function persistRecord(abortSignal: AbortSignal) {
  return async (record: SQSRecord): Promise<void> => {
    const event = storedEventFrom(JSON.parse(record.body));
    const outcome = await store().saveOnce(event, { abortSignal });
    logger.info(outcome === 'written' ? 'event persisted' : 'duplicate skipped', {
      eventId: event.id,
      tenant: tenantOf(event),
      detailType: event.detailType,
      correlationId: event.correlationId,
      sequenceNr: event.sequenceNr,
      idempotencyKey: event.idempotencyKey,
    });
  };
}

/**
 * SQS → DynamoDB: stores each persisted event once. A record that fails (malformed envelope, no tenant,
 * DynamoDB or S3 error, the deadline reached) is reported back alone and retried; after maxReceiveCount it
 * lands in the DLQ. Answers before the function timeout, so a slow table never loses the partial response.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const deadline = Deadline.fromContext(context);
  try {
    // A batch that failed entirely is answered like any other (every record listed), not thrown: the
    // answer says the same and the invocation ends cleanly, visible in the logs as one line per record.
    return await processPartialResponse(event, persistRecord(deadline.signal()), processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  } finally {
    deadline.dispose();
  }
};
