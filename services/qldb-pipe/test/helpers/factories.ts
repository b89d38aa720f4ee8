import * as kinesisAgg from 'aws-kinesis-agg';
import { makeBinaryWriter, makeReader, makeTextWriter } from 'ion-js';
import type { PipeKinesisRecord } from '../../src/handlers/enrich.js';

export const STREAM_ARN = 'arn:aws:qldb:us-east-1:123456789012:stream/vehicle-registration/IiPT4brpZCqCq3f4MTHbYy';
export const KINESIS_STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/qldb-pipe-dev-journal';

export type IonEncoding = 'binary' | 'text';

/** Ion text → bytes written by ion-js's binary or text writer. */
export function encodeIon(ionText: string, encoding: IonEncoding = 'binary'): Buffer {
  const writer = encoding === 'binary' ? makeBinaryWriter() : makeTextWriter();
  writer.writeValues(makeReader(ionText));
  writer.close();
  return Buffer.from(writer.getBytes());
}

/** A QLDB CONTROL record in Ion text. */
export function controlRecordIon(controlRecordType = 'CREATED'): string {
  return `{ qldbStreamArn: "${STREAM_ARN}", recordType: "CONTROL", payload: { controlRecordType: "${controlRecordType}" } }`;
}

/** A QLDB BLOCK_SUMMARY record in Ion text. */
export function blockSummaryRecordIon(sequenceNo = 14): string {
  return `{
    qldbStreamArn: "${STREAM_ARN}",
    recordType: "BLOCK_SUMMARY",
    payload: {
      blockAddress: { strandId: "KmvQFC8bMDo5KyxnxRkjeM", sequenceNo: ${sequenceNo} },
      transactionId: "9kpDWaTIBVy7wnqXADrbhJ",
      blockTimestamp: 2020-06-18T20:06:39.171Z,
      blockHash: {{hLnFQsV+1lG5QkqPHHUxbqP5R67Ce9dr5rV7s6nNBvw=}},
      entriesHash: {{hLnFQsV+1lG5QkqPHHUxbqP5R67Ce9dr5rV7s6nNBvw=}},
      previousBlockHash: {{AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}},
      entriesHashList: [{{AAEC}}, {{AwQF}}],
      transactionInfo: {
        statements: [{ statement: "INSERT INTO VehicleRegistration ?", startTime: 2020-06-18T20:06:39.127Z, statementDigest: {{AAEC}} }],
        documents: { IiPT4brpZCqCq3f4MTHbYy: { tableName: "VehicleRegistration", tableId: "LY4HO2JgTZI7nKgGGrfM6j", statements: [0] } }
      },
      revisionSummaries: [{ hash: {{AwQF}}, documentId: "IiPT4brpZCqCq3f4MTHbYy" }]
    }
  }`;
}

export interface RevisionSpec {
  tableName?: string;
  documentId?: string;
  version?: number;
  /** Ion text of the document, or `undefined` for a deleted document (no `data` field). */
  dataIon?: string;
}

/** A QLDB REVISION_DETAILS record in Ion text. */
export function revisionRecordIon(spec: RevisionSpec = {}): string {
  const { tableName = 'VehicleRegistration', documentId = 'IiPT4brpZCqCq3f4MTHbYy', version = 0 } = spec;
  const data = 'dataIon' in spec ? spec.dataIon : '{ VIN: "1N4AL11D75C109151", LicensePlateNumber: "LEWISR261LL" }';
  return `{
    qldbStreamArn: "${STREAM_ARN}",
    recordType: "REVISION_DETAILS",
    payload: {
      tableInfo: { tableName: "${tableName}", tableId: "LY4HO2JgTZI7nKgGGrfM6j" },
      revision: {
        blockAddress: { strandId: "KmvQFC8bMDo5KyxnxRkjeM", sequenceNo: 14 },
        hash: {{hLnFQsV+1lG5QkqPHHUxbqP5R67Ce9dr5rV7s6nNBvw=}},
        ${data === undefined ? '' : `data: ${data},`}
        metadata: { id: "${documentId}", version: ${version}, txTime: 2020-06-18T20:06:39.171Z, txId: "9kpDWaTIBVy7wnqXADrbhJ" }
      }
    }
  }`;
}

/** Aggregates user records into one KPL record (magic + protobuf + MD5) with `aws-kinesis-agg`. */
export function aggregate(userRecords: Buffer[], partitionKey = 'IiPT4brpZCqCq3f4MTHbYy'): Buffer {
  // The package's type declarations omit RecordAggregator, its synchronous aggregation API.
  const { RecordAggregator } = kinesisAgg as unknown as {
    RecordAggregator: new (
      onReady: () => void,
    ) => { addUserRecord(record: { partitionKey: string; data: Buffer }): void; build(): { data: Buffer } };
  };
  const aggregator = new RecordAggregator(() => undefined);
  for (const data of userRecords) aggregator.addUserRecord({ partitionKey, data });
  return aggregator.build().data;
}

let sequence = 49590338271490256608559692538361571095921575989136588898n;

/** A Kinesis record as EventBridge Pipes passes it to the enrichment. */
export function pipeRecord(data: Buffer | string, overrides: Partial<PipeKinesisRecord> = {}): PipeKinesisRecord {
  sequence += 1n;
  return {
    kinesisSchemaVersion: '1.0',
    partitionKey: 'IiPT4brpZCqCq3f4MTHbYy',
    sequenceNumber: sequence.toString(),
    data: typeof data === 'string' ? data : data.toString('base64'),
    approximateArrivalTimestamp: 1592510799.2,
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${sequence}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/qldb-pipe-dev-pipe',
    awsRegion: 'us-east-1',
    eventSourceARN: KINESIS_STREAM_ARN,
    ...overrides,
  } as PipeKinesisRecord;
}

/** Re-computes nothing: flips one byte of the MD5 trailer of an aggregated record. */
export function corruptMd5(aggregated: Buffer): Buffer {
  const copy = Buffer.from(aggregated);
  const last = copy.length - 1;
  copy[last] = (copy[last] ?? 0) ^ 0xff;
  return copy;
}
