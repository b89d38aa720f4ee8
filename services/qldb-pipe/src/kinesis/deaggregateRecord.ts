import { createHash } from 'node:crypto';
import { deaggregateSync } from 'aws-kinesis-agg/lib/kpl-deagg.js';
import { MalformedRecordError } from '../errors.js';
import { decodeBase64 } from './decodeBase64.js';

/** The KPL aggregation format: magic, protobuf `AggregatedRecord`, MD5 of the protobuf bytes. */
export const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
const MD5_LENGTH = 16;

/** What a Kinesis record carries, as a Pipes Kinesis source hands it over. */
export interface KinesisRecordData {
  /** base64 */
  data: string;
  partitionKey: string;
  sequenceNumber: string;
  /** Epoch seconds with a fraction, as Pipes hands it over. */
  approximateArrivalTimestamp?: number;
}

/** One user record: the whole Kinesis record, or one entry of a KPL aggregate. */
export interface UserRecord {
  sequenceNumber: string;
  /** Position inside the aggregate; absent for a record that was not aggregated. */
  subSequenceNumber?: number;
  partitionKey: string;
  data: Buffer;
}

/** Whether a decoded record uses the KPL aggregation format (starts with the magic number). */
export function isAggregated(bytes: Buffer): boolean {
  return bytes.length >= KPL_MAGIC.length && bytes.subarray(0, KPL_MAGIC.length).equals(KPL_MAGIC);
}

/**
 * Splits a Kinesis record into its user records. KPL-aggregated records (magic `F3 89 9A C2`) are
 * verified against their MD5 trailer and decoded with `aws-kinesis-agg`; any other record is one
 * user record. Throws {@link MalformedRecordError} naming the sequence number for bad base64, a bad
 * checksum or a protobuf that does not decode.
 *
 * @example
 * const users = deaggregateRecord({ data, partitionKey: 'pk', sequenceNumber: '4959...' });
 * users.map((u) => u.data); // the Ion payloads
 */
export function deaggregateRecord(record: KinesisRecordData): UserRecord[] {
  const { sequenceNumber, partitionKey } = record;
  const bytes = typeof record.data === 'string' ? decodeBase64(record.data) : undefined;
  if (!bytes) throw new MalformedRecordError(sequenceNumber, 'data is not valid base64');
  if (!isAggregated(bytes)) return [{ sequenceNumber, partitionKey, data: bytes }];

  if (bytes.length < KPL_MAGIC.length + MD5_LENGTH) {
    throw new MalformedRecordError(sequenceNumber, 'KPL aggregated record is shorter than its magic and MD5 trailer');
  }
  const body = bytes.subarray(KPL_MAGIC.length, bytes.length - MD5_LENGTH);
  const trailer = bytes.subarray(bytes.length - MD5_LENGTH);
  if (!createHash('md5').update(body).digest().equals(trailer)) {
    throw new MalformedRecordError(sequenceNumber, 'KPL aggregated record fails its MD5 checksum');
  }

  let failure: unknown;
  let users: Array<{ partitionKey: string; subSequenceNumber: number; data: string }> = [];
  deaggregateSync({ data: record.data, partitionKey, sequenceNumber }, true, (err, records) => {
    if (err && failure === undefined) failure = err;
    else if (records) users = records;
  });
  if (failure !== undefined) {
    const detail = failure instanceof Error ? failure.message : String(failure);
    throw new MalformedRecordError(sequenceNumber, `KPL aggregated record does not decode (${detail})`, {
      cause: failure,
    });
  }
  return users.map((u, i) => ({
    sequenceNumber,
    subSequenceNumber: u.subSequenceNumber ?? i,
    partitionKey: u.partitionKey ?? partitionKey,
    data: Buffer.from(u.data, 'base64'),
  }));
}
