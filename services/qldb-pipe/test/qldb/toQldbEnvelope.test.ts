import { isUuid, MAX_IDEMPOTENCY_KEY_LENGTH, parseEnvelope } from '@blueprints/common';
import { decodeQldbRecords } from '../../src/enrichment/decodeQldbRecords.js';
import { SELECT_EVERYTHING } from '../../src/qldb/selectEvents.js';
import { nameBasedUuid, qldbIdempotencyKey, toQldbEnvelope } from '../../src/qldb/toQldbEnvelope.js';
import type { QldbEvent } from '../../src/qldb/toQldbEvent.js';
import {
  aggregate,
  blockSummaryRecordIon,
  controlRecordIon,
  encodeIon,
  pipeRecord,
  revisionRecordIon,
} from '../helpers/factories.js';

const LEDGER = 'us-east-1:123456789012:vehicle-registration';

function decodeOne(ion: string, overrides = {}): QldbEvent {
  const [event] = decodeQldbRecords([pipeRecord(encodeIon(ion), overrides)], SELECT_EVERYTHING);
  if (!event) throw new Error('no event decoded');
  return event;
}

describe('Function: qldbIdempotencyKey()', () => {
  it('names a revision by ledger, record type, table, document id and version', () => {
    // Prepare
    const event = decodeOne(revisionRecordIon({ tableName: 'Person', documentId: 'doc1', version: 2 }));

    // Act
    const key = qldbIdempotencyKey(event);

    // Assess
    expect(key).toBe(`qldb/${LEDGER}/REVISION_DETAILS/Person/doc1/2`);
  });

  it('gives the same revision the same key when it arrives again in another Kinesis record', () => {
    // Prepare
    const ion = revisionRecordIon({ documentId: 'doc1', version: 3 });
    const first = decodeOne(ion);
    const [again] = decodeQldbRecords(
      [pipeRecord(aggregate([encodeIon(controlRecordIon()), encodeIon(ion)]), { approximateArrivalTimestamp: 1 })],
      SELECT_EVERYTHING,
    ).filter((e) => e.recordType === 'REVISION_DETAILS');

    // Act & Assess
    expect(first.kinesis.sequenceNumber).not.toBe(again?.kinesis.sequenceNumber);
    expect(qldbIdempotencyKey(again as QldbEvent)).toBe(qldbIdempotencyKey(first));
  });

  it('gives every version of a document its own key', () => {
    // Prepare
    const v1 = decodeOne(revisionRecordIon({ documentId: 'doc1', version: 1 }));
    const v2 = decodeOne(revisionRecordIon({ documentId: 'doc1', version: 2 }));

    // Act & Assess
    expect(qldbIdempotencyKey(v1)).not.toBe(qldbIdempotencyKey(v2));
  });

  it('names a block summary by its block address and a control record by its stream', () => {
    // Prepare
    const block = decodeOne(blockSummaryRecordIon(14));
    const control = decodeOne(controlRecordIon('COMPLETED'));

    // Act & Assess
    expect(qldbIdempotencyKey(block)).toBe(`qldb/${LEDGER}/BLOCK_SUMMARY/KmvQFC8bMDo5KyxnxRkjeM/14`);
    expect(qldbIdempotencyKey(control)).toBe(`qldb/${LEDGER}:IiPT4brpZCqCq3f4MTHbYy/CONTROL/COMPLETED`);
  });

  it('encodes parts so that a name cannot imitate the separator', () => {
    // Prepare
    const a = decodeOne(revisionRecordIon({ tableName: 'a/b', documentId: 'c' }));
    const b = decodeOne(revisionRecordIon({ tableName: 'a', documentId: 'b/c' }));

    // Act & Assess
    expect(qldbIdempotencyKey(a)).not.toBe(qldbIdempotencyKey(b));
  });

  it('hashes a key that would be longer than the envelope allows', () => {
    // Prepare
    const event = decodeOne(revisionRecordIon({ tableName: 'T'.repeat(300), documentId: 'doc1' }));

    // Act
    const key = qldbIdempotencyKey(event);

    // Assess
    expect(key).toMatch(/^qldb\/sha256\/[0-9a-f]{64}$/);
    expect(key.length).toBeLessThanOrEqual(MAX_IDEMPOTENCY_KEY_LENGTH);
  });
});

describe('Function: toQldbEnvelope()', () => {
  it('wraps a revision in a valid shared envelope with the transaction time and its key', () => {
    // Prepare
    const event = decodeOne(revisionRecordIon({ documentId: 'doc1', version: 0 }));

    // Act
    const envelope = toQldbEnvelope(event, { persist: true });

    // Assess
    expect(parseEnvelope(JSON.parse(JSON.stringify(envelope)))).toEqual({
      createdAt: Date.parse('2020-06-18T20:06:39.171Z'),
      correlationId: nameBasedUuid(`${event.qldbStreamArn}\n${event.kinesis.sequenceNumber}`),
      sequenceNr: 1,
      idempotencyKey: `qldb/${LEDGER}/REVISION_DETAILS/VehicleRegistration/doc1/0`,
      persist: true,
      context: JSON.parse(JSON.stringify(event)),
    });
  });

  it('is the same on every delivery of the same Kinesis record', () => {
    // Prepare
    const record = pipeRecord(aggregate([encodeIon(controlRecordIon()), encodeIon(revisionRecordIon())]));

    // Act
    const first = decodeQldbRecords([record], SELECT_EVERYTHING).map((e) => toQldbEnvelope(e, { persist: false }));
    const replay = decodeQldbRecords([record], SELECT_EVERYTHING).map((e) =>
      toQldbEnvelope(e, { persist: false, now: () => 0 }),
    );

    // Assess
    expect(replay).toEqual(first);
    expect(first.map((e) => e.sequenceNr)).toEqual([1, 2]);
    expect(new Set(first.map((e) => e.correlationId)).size).toBe(1);
    expect(first[0]?.createdAt).toBe(1592510799200);
  });
});

describe('Function: nameBasedUuid()', () => {
  it('returns a version 5 UUID that depends only on the name', () => {
    // Act
    const a = nameBasedUuid('arn:x\n1');

    // Assess
    expect(isUuid(a)).toBe(true);
    expect(a[14]).toBe('5');
    expect(nameBasedUuid('arn:x\n1')).toBe(a);
    expect(nameBasedUuid('arn:x\n2')).not.toBe(a);
  });
});
