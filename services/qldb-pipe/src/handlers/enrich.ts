import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { readEnrichConfig } from '../enrichment/config.js';
import { decodeQldbRecords } from '../enrichment/decodeQldbRecords.js';
import { enrichBatch } from '../enrichment/enrichBatch.js';
import type { KinesisRecordData } from '../kinesis/deaggregateRecord.js';

const config = readEnrichConfig();
const logger = new Logger();
const client = new EventBridgeClient({});

/** The Kinesis record shape EventBridge Pipes hands its enrichment (one array per batch). */
export interface PipeKinesisRecord extends KinesisRecordData {
  approximateArrivalTimestamp?: number;
  eventSourceARN?: string;
}

/**
 * EventBridge Pipes enrichment for a QLDB journal stream: decodes the batch and publishes one event
 * per QLDB record itself (source `EVENT_SOURCE`, detail-type = the record type), then returns `[]`
 * so the pipe's own target is skipped: however many user records one aggregated Kinesis record
 * holds, the pipe never sees more than the 10 events its event-bus target accepts.
 * A malformed record throws an error naming its sequence number: Pipes retries, bisects and finally
 * sends the batch's metadata to the dead-letter queue.
 */
export const handler = async (records: PipeKinesisRecord[]): Promise<[]> => {
  if (config.printOnly) {
    // `osls invoke local` with no local bus: show what would be published.
    console.log(JSON.stringify(decodeQldbRecords(records, config.selection), null, 2));
    return [];
  }
  const { events, putEventsRequests } = await enrichBatch(records, config, { client });
  logger.info('published QLDB events', {
    kinesisRecords: records.length,
    events: events.length,
    putEventsRequests,
    firstSequenceNumber: records[0]?.sequenceNumber,
  });
  return [];
};
