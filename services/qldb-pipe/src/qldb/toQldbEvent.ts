import type { JsonValue } from '../ion/ionToJson.js';

export const QLDB_RECORD_TYPES = ['CONTROL', 'BLOCK_SUMMARY', 'REVISION_DETAILS'] as const;
export type QldbRecordType = (typeof QLDB_RECORD_TYPES)[number];

type JsonObject = { [key: string]: JsonValue };

/** Where a QLDB event came from on the Kinesis stream. */
export interface KinesisPosition {
  sequenceNumber: string;
  subSequenceNumber?: number;
  partitionKey: string;
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

function optionalString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Shapes one decoded QLDB stream record (`{ qldbStreamArn, recordType, payload }`) as a
 * {@link QldbEvent}. Throws {@link NotAQldbRecordError} when the value does not have that shape.
 *
 * @example
 * toQldbEvent({ qldbStreamArn: 'arn:...', recordType: 'CONTROL', payload: { controlRecordType: 'CREATED' } }, position);
 */
export function toQldbEvent(record: JsonValue, kinesis: KinesisPosition): QldbEvent {
  if (!isObject(record)) throw new NotAQldbRecordError('the Ion value is not a struct');
  const { recordType, qldbStreamArn, payload } = record;
  if (typeof recordType !== 'string' || !(QLDB_RECORD_TYPES as readonly string[]).includes(recordType)) {
    throw new NotAQldbRecordError(`recordType ${JSON.stringify(recordType ?? null)} is not a QLDB record type`);
  }
  if (!isObject(payload)) throw new NotAQldbRecordError(`${recordType} record has no payload struct`);
  const event: QldbEvent = {
    recordType: recordType as QldbRecordType,
    qldbStreamArn: optionalString(qldbStreamArn) ?? '',
    payload,
    kinesis,
  };
  if (recordType !== 'REVISION_DETAILS') return event;

  const { tableInfo, revision } = payload;
  if (!isObject(revision) || !isObject(revision.metadata)) {
    throw new NotAQldbRecordError('REVISION_DETAILS record has no revision.metadata');
  }
  const { id, version, txTime, txId } = revision.metadata;
  if (typeof id !== 'string' || typeof version !== 'number') {
    throw new NotAQldbRecordError('REVISION_DETAILS record has no revision.metadata id and version');
  }
  return {
    recordType: event.recordType,
    qldbStreamArn: event.qldbStreamArn,
    tableName: isObject(tableInfo) ? optionalString(tableInfo.tableName) : undefined,
    tableId: isObject(tableInfo) ? optionalString(tableInfo.tableId) : undefined,
    documentId: id,
    version,
    txTime: optionalString(txTime),
    txId: optionalString(txId),
    deleted: !('data' in revision),
    payload,
    kinesis,
  };
}
