import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { awsClientConfig, Deadline, onFirstUse, type RemainingTimeSource } from '@blueprints/common';
import { busPublisher } from '../delivery/busPublisher.js';
import { RecentlyPublished } from '../delivery/RecentlyPublished.js';
import { readEnrichConfig } from '../enrichment/config.js';
import { decodeQldbRecords } from '../enrichment/decodeQldbRecords.js';
import { enrichBatch, type PipeKinesisRecord } from '../enrichment/enrichBatch.js';
import { toQldbEnvelope } from '../qldb/toQldbEnvelope.js';

export type { PipeKinesisRecord } from '../enrichment/enrichBatch.js';

const config = readEnrichConfig();
const logger = new Logger();
// maxAttempts 1: the shared PutEvents sender decides retries per entry, within the deadline.
// Built on the first batch that publishes, not at init (see onFirstUse).
const eventBridge = onFirstUse(
  () => new EventBridgeClient(awsClientConfig({ functionTimeoutMs: config.functionTimeoutMs, maxAttempts: 1 })),
);
const memory = new RecentlyPublished({ ttlMs: config.recentlyPublishedTtlMs, maxKeys: 100_000 });

/** The Pipes partial batch response: the records (by `eventID`) to hand over again. */
export interface PipeBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/**
 * EventBridge Pipes target for a QLDB journal stream: decodes each Kinesis record (KPL, Ion) into
 * QLDB events, publishes them to the bus in the shared envelope (source `EVENT_SOURCE`, detail-type
 * = the record type, a replay-stable `idempotencyKey`), and answers with a partial batch response
 * naming the records whose events were not all confirmed published, or that do not decode. Pipes
 * retries only those records, then sends them to the dead-letter queue. Publishing stops at the
 * invocation's deadline (remaining time minus a margin), so the answer always gets out.
 */
export const handler = async (
  records: PipeKinesisRecord[],
  context: RemainingTimeSource,
): Promise<PipeBatchResponse> => {
  if (config.printOnly) {
    // `osls invoke local` with no local bus: show what would be published.
    const envelopes = decodeQldbRecords(records, config.selection).map((e) => toQldbEnvelope(e, config));
    console.log(JSON.stringify(envelopes, null, 2));
    return { batchItemFailures: [] };
  }
  const deadline = Deadline.fromContext(context);
  try {
    const publish = busPublisher(eventBridge(), config.bus, { deadline, maxAttempts: config.publishMaxAttempts });
    const result = await enrichBatch(records, config, { publish, memory });
    for (const error of result.malformed) {
      logger.error('Kinesis record does not decode', { sequenceNumber: error.sequenceNumber, reason: error.message });
    }
    const summary = {
      kinesisRecords: records.length,
      events: result.events,
      published: result.published,
      alreadyPublished: result.alreadyPublished,
      failed: result.failed.length,
      unknown: result.unknown.length,
      recordsToRetry: result.batchItemFailures.length,
      firstSequenceNumber: records[0]?.sequenceNumber,
    };
    if (result.batchItemFailures.length === 0) logger.info('published QLDB events', summary);
    else {
      logger.warn('some QLDB events were not published; their records go back to the pipe', {
        ...summary,
        notPublished: [...result.failed, ...result.unknown].slice(0, 10),
      });
    }
    return { batchItemFailures: result.batchItemFailures };
  } finally {
    deadline.dispose();
  }
};
