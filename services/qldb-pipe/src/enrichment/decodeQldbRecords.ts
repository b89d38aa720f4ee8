import { MalformedRecordError } from '../errors.js';
import { InvalidIonError, ionToJson } from '../ion/ionToJson.js';
import { deaggregateRecord, type KinesisRecordData } from '../kinesis/deaggregateRecord.js';
import { type EventSelection, isSelected } from '../qldb/selectEvents.js';
import { NotAQldbRecordError, type QldbEvent, toQldbEvent } from '../qldb/toQldbEvent.js';

/**
 * The Kinesis records of one Pipes batch → the selected QLDB events, in stream order. Any record
 * that does not decode throws a {@link MalformedRecordError} naming it; nothing is skipped silently.
 *
 * @example
 * const events = decodeQldbRecords(pipeBatch, SELECT_EVERYTHING);
 */
export function decodeQldbRecords(records: KinesisRecordData[], selection: EventSelection): QldbEvent[] {
  return records.flatMap((record) => decodeQldbRecord(record, selection));
}

/**
 * One Kinesis record → its selected QLDB events, in order: base64 → KPL de-aggregation → Ion →
 * JSON → one event per QLDB record. Throws a {@link MalformedRecordError} naming the record (and the
 * user record inside an aggregate) when any part of it does not decode.
 *
 * @example
 * const events = decodeQldbRecord(pipeBatch[0], SELECT_EVERYTHING);
 */
export function decodeQldbRecord(record: KinesisRecordData, selection: EventSelection): QldbEvent[] {
  const events: QldbEvent[] = [];
  for (const user of deaggregateRecord(record)) {
    const position = {
      sequenceNumber: user.sequenceNumber,
      ...(user.subSequenceNumber === undefined ? {} : { subSequenceNumber: user.subSequenceNumber }),
      partitionKey: user.partitionKey,
      ...(record.approximateArrivalTimestamp === undefined
        ? {}
        : { approximateArrivalTime: Math.round(record.approximateArrivalTimestamp * 1000) }),
    };
    let values: ReturnType<typeof ionToJson>;
    try {
      values = ionToJson(user.data);
      if (values.length === 0) throw new InvalidIonError('no Ion value in the record');
      for (const value of values) {
        const event = toQldbEvent(value, position);
        if (isSelected(event, selection)) events.push(event);
      }
    } catch (error) {
      if (error instanceof InvalidIonError || error instanceof NotAQldbRecordError) {
        throw new MalformedRecordError(user.sequenceNumber, error.message, {
          ...(user.subSequenceNumber === undefined ? {} : { subSequenceNumber: user.subSequenceNumber }),
          cause: error,
        });
      }
      throw error;
    }
  }
  return events;
}
