import type { LabelledEntry } from '../delivery/publishEvents.js';
import type { QldbEvent } from '../qldb/toQldbEvent.js';

/** How QLDB events are addressed on the bus. */
export interface BusAddress {
  eventBusName: string;
  /** `source` of every event, e.g. `qldb`. */
  source: string;
}

/**
 * One PutEvents entry per QLDB event: `source` from the configuration, `detail-type` the record
 * type (`REVISION_DETAILS`, `BLOCK_SUMMARY`, `CONTROL`), `detail` the event itself.
 *
 * @example
 * toPutEventsEntries(events, { eventBusName: 'qldb-pipe-dev', source: 'qldb' });
 */
export function toPutEventsEntries(events: QldbEvent[], address: BusAddress): LabelledEntry[] {
  return events.map((event) => ({
    label:
      event.kinesis.subSequenceNumber === undefined
        ? `Kinesis record ${event.kinesis.sequenceNumber}`
        : `Kinesis record ${event.kinesis.sequenceNumber} (user record ${event.kinesis.subSequenceNumber})`,
    entry: {
      EventBusName: address.eventBusName,
      Source: address.source,
      DetailType: event.recordType,
      Detail: JSON.stringify(event),
    },
  }));
}
