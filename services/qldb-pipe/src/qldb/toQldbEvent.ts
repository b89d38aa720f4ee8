import type { JsonValue } from '../ion/ionToJson.js';

export const QLDB_RECORD_TYPES = ['CONTROL', 'BLOCK_SUMMARY', 'REVISION_DETAILS'] as const;
export type QldbRecordType = (typeof QLDB_RECORD_TYPES)[number];

type JsonObject = { [key: string]: JsonValue };

/** Where a QLDB event came from on the Kinesis stream. */
export interface KinesisPosition {
  sequenceNumber: string;
  subSequenceNumber?: number;
  partitionKey: string;
  /** When Kinesis received the record, epoch milliseconds (the same on every replay). */
  approximateArrivalTime?: number;
}

/**
 * The event published for one QLDB stream record: its `recordType`, the stream it came from and
 * the record's payload in JSON. REVISION_DETAILS events also lift the fields consumers filter and
 * deduplicate on (table, document id and version, transaction) to the top; a deleted document's
 * revision has no `data`, and `deleted` says so.
 */
export interface QldbEvent {
  recordType: QldbRecordType;
  qldbStreamArn: string;
  tableName?: string;
  tableId?: string;
  documentId?: string;
  version?: number;
  txTime?: string;
  txId?: string;
  deleted?: boolean;
  payload: JsonObject;
  kinesis: KinesisPosition;
}

/** A decoded Ion value that is not a QLDB stream record. */
export class NotAQldbRecordError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotAQldbRecordError';
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A field the object itself holds. Never an inherited one: a record must not become valid through
 * its prototype (a struct field named `__proto__` is data, see `ionToJson`).
 */
function field(object: JsonObject, name: string): JsonValue | undefined {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

function optionalString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Shapes one decoded QLDB stream record (`{ qldbStreamArn, recordType, payload }`) as a
 * {@link QldbEvent}. Throws {@link NotAQldbRecordError} when the value does not have that shape,
 * or lacks what the event's idempotency key is made of (the stream ARN; a revision's document id
 * and version; a block summary's block address).
 *
 * @example
 * toQldbEvent({ qldbStreamArn: 'arn:...', recordType: 'CONTROL', payload: { controlRecordType: 'CREATED' } }, position);
 */
export function toQldbEvent(record: JsonValue, kinesis: KinesisPosition): QldbEvent {
  if (!isObject(record)) throw new NotAQldbRecordError('the Ion value is not a struct');
  const recordType = field(record, 'recordType');
  const qldbStreamArn = field(record, 'qldbStreamArn');
  const payload = field(record, 'payload');
  if (typeof recordType !== 'string' || !(QLDB_RECORD_TYPES as readonly string[]).includes(recordType)) {
    throw new NotAQldbRecordError(`recordType ${JSON.stringify(recordType ?? null)} is not a QLDB record type`);
  }
  if (typeof qldbStreamArn !== 'string' || qldbStreamArn === '') {
    throw new NotAQldbRecordError(`${recordType} record has no qldbStreamArn`);
  }
  if (!isObject(payload)) throw new NotAQldbRecordError(`${recordType} record has no payload struct`);
  const event: QldbEvent = { recordType: recordType as QldbRecordType, qldbStreamArn, payload, kinesis };
  if (recordType === 'BLOCK_SUMMARY') {
    const blockAddress = field(payload, 'blockAddress');
    if (!isObject(blockAddress) || field(blockAddress, 'strandId') === undefined) {
      throw new NotAQldbRecordError('BLOCK_SUMMARY record has no payload.blockAddress');
    }
  }
  if (recordType !== 'REVISION_DETAILS') return event;

  const tableInfo = field(payload, 'tableInfo');
  const revision = field(payload, 'revision');
  const metadata = isObject(revision) ? field(revision, 'metadata') : undefined;
  if (!isObject(revision) || !isObject(metadata)) {
    throw new NotAQldbRecordError('REVISION_DETAILS record has no revision.metadata');
  }
  const id = field(metadata, 'id');
  const version = field(metadata, 'version');
  if (typeof id !== 'string' || typeof version !== 'number') {
    throw new NotAQldbRecordError('REVISION_DETAILS record has no revision.metadata id and version');
  }
  return {
    recordType: event.recordType,
    qldbStreamArn,
    tableName: isObject(tableInfo) ? optionalString(field(tableInfo, 'tableName')) : undefined,
    tableId: isObject(tableInfo) ? optionalString(field(tableInfo, 'tableId')) : undefined,
    documentId: id,
    version,
    txTime: optionalString(field(metadata, 'txTime')),
    txId: optionalString(field(metadata, 'txId')),
    deleted: !Object.hasOwn(revision, 'data'),
    payload,
    kinesis,
  };
}
