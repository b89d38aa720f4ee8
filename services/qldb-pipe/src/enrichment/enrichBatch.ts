import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type PublishOptions, publishEvents } from '../delivery/publishEvents.js';
import type { KinesisRecordData } from '../kinesis/deaggregateRecord.js';
import type { QldbEvent } from '../qldb/toQldbEvent.js';
import type { EnrichConfig } from './config.js';
import { decodeQldbRecords } from './decodeQldbRecords.js';
import { toPutEventsEntries } from './toPutEventsEntries.js';

export interface EnrichResult {
  events: QldbEvent[];
  putEventsRequests: number;
}

/**
 * One Pipes enrichment invocation: decode every record of the batch first (a malformed record fails
 * the batch before anything is published), then publish all events to the bus in PutEvents requests
 * of at most 10 entries / 256 KB, retrying rejected entries.
 *
 * @example
 * await enrichBatch(records, config, { client: new EventBridgeClient({}) });
 */
export async function enrichBatch(
  records: KinesisRecordData[],
  config: Pick<EnrichConfig, 'bus' | 'selection' | 'publishMaxAttempts'>,
  deps: { client: Pick<EventBridgeClient, 'send'>; publish?: Omit<PublishOptions, 'maxAttempts'> },
): Promise<EnrichResult> {
  const events = decodeQldbRecords(records, config.selection);
  if (events.length === 0) return { events, putEventsRequests: 0 };
  const { requests } = await publishEvents(deps.client, toPutEventsEntries(events, config.bus), {
    ...deps.publish,
    maxAttempts: config.publishMaxAttempts,
  });
  return { events, putEventsRequests: requests };
}
