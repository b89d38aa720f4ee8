import { decodeQldbRecords } from '../../src/enrichment/decodeQldbRecords.js';
import { MalformedRecordError } from '../../src/errors.js';
import { SELECT_EVERYTHING } from '../../src/qldb/selectEvents.js';
import {
  aggregate,
  blockSummaryRecordIon,
  controlRecordIon,
  encodeIon,
  pipeRecord,
  revisionRecordIon,
  STREAM_ARN,
} from '../helpers/factories.js';

const HASH = 'hLnFQsV+1lG5QkqPHHUxbqP5R67Ce9dr5rV7s6nNBvw=';

describe('Function: decodeQldbRecords()', () => {
  it.each(['binary', 'text'] as const)('turns a CONTROL record into its event (%s Ion)', (encoding) => {
    // Prepare
    const record = pipeRecord(encodeIon(controlRecordIon('CREATED'), encoding));

    // Act
    const events = decodeQldbRecords([record], SELECT_EVERYTHING);

    // Assess
    expect(events).toEqual([
      {
        recordType: 'CONTROL',
        qldbStreamArn: STREAM_ARN,
        payload: { controlRecordType: 'CREATED' },
        kinesis: {
          sequenceNumber: record.sequenceNumber,
          partitionKey: record.partitionKey,
          approximateArrivalTime: 1592510799200,
        },
      },
    ]);
  });

  it.each(['binary', 'text'] as const)('turns a BLOCK_SUMMARY record into its event (%s Ion)', (encoding) => {
    // Prepare
    const record = pipeRecord(encodeIon(blockSummaryRecordIon(14), encoding));

    // Act
    const [event] = decodeQldbRecords([record], SELECT_EVERYTHING);

    // Assess
    expect(event).toEqual({
      recordType: 'BLOCK_SUMMARY',
      qldbStreamArn: STREAM_ARN,
      payload: {
        blockAddress: { strandId: 'KmvQFC8bMDo5KyxnxRkjeM', sequenceNo: 14 },
        transactionId: '9kpDWaTIBVy7wnqXADrbhJ',
        blockTimestamp: '2020-06-18T20:06:39.171Z',
        blockHash: HASH,
        entriesHash: HASH,
        previousBlockHash: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
        entriesHashList: ['AAEC', 'AwQF'],
        transactionInfo: {
          statements: [
            {
              statement: 'INSERT INTO VehicleRegistration ?',
              startTime: '2020-06-18T20:06:39.127Z',
              statementDigest: 'AAEC',
            },
          ],
          documents: {
            IiPT4brpZCqCq3f4MTHbYy: {
              tableName: 'VehicleRegistration',
              tableId: 'LY4HO2JgTZI7nKgGGrfM6j',
              statements: [0],
            },
          },
        },
        revisionSummaries: [{ hash: 'AwQF', documentId: 'IiPT4brpZCqCq3f4MTHbYy' }],
      },
      kinesis: {
        sequenceNumber: record.sequenceNumber,
        partitionKey: record.partitionKey,
        approximateArrivalTime: 1592510799200,
      },
    });
  });

  it.each(['binary', 'text'] as const)('turns a REVISION_DETAILS record into its event (%s Ion)', (encoding) => {
    // Prepare
    const dataIon = `{ VIN: "1N4AL11D75C109151", Owners: { PrimaryOwner: { PersonId: "294jJ3YUoH1IEEm8GSabOs" } },
      Fee: 123456789012345678901234567890.12, Odometer: 18446744073709551617, Price: 19.5,
      RegisteredAt: 2020-06-18T22:06:39.171+02:00, Photo: {{AQID}}, Tags: tagged::[red, 'big car'] }`;
    const record = pipeRecord(encodeIon(revisionRecordIon({ version: 3, dataIon }), encoding));

    // Act
    const [event] = decodeQldbRecords([record], SELECT_EVERYTHING);

    // Assess
    expect(event).toEqual({
      recordType: 'REVISION_DETAILS',
      qldbStreamArn: STREAM_ARN,
      tableName: 'VehicleRegistration',
      tableId: 'LY4HO2JgTZI7nKgGGrfM6j',
      documentId: 'IiPT4brpZCqCq3f4MTHbYy',
      version: 3,
      txTime: '2020-06-18T20:06:39.171Z',
      txId: '9kpDWaTIBVy7wnqXADrbhJ',
      deleted: false,
      payload: {
        tableInfo: { tableName: 'VehicleRegistration', tableId: 'LY4HO2JgTZI7nKgGGrfM6j' },
        revision: {
          blockAddress: { strandId: 'KmvQFC8bMDo5KyxnxRkjeM', sequenceNo: 14 },
          hash: HASH,
          data: {
            VIN: '1N4AL11D75C109151',
            Owners: { PrimaryOwner: { PersonId: '294jJ3YUoH1IEEm8GSabOs' } },
            Fee: '123456789012345678901234567890.12',
            Odometer: '18446744073709551617',
            Price: 19.5,
            RegisteredAt: '2020-06-18T22:06:39.171+02:00',
            Photo: 'AQID',
            Tags: ['red', 'big car'],
          },
          metadata: {
            id: 'IiPT4brpZCqCq3f4MTHbYy',
            version: 3,
            txTime: '2020-06-18T20:06:39.171Z',
            txId: '9kpDWaTIBVy7wnqXADrbhJ',
          },
        },
      },
      kinesis: {
        sequenceNumber: record.sequenceNumber,
        partitionKey: record.partitionKey,
        approximateArrivalTime: 1592510799200,
      },
    });
  });

  it('marks a deleted document (a revision without data) as deleted and gives it no data', () => {
    // Prepare
    const record = pipeRecord(encodeIon(revisionRecordIon({ version: 4, dataIon: undefined })));

    // Act
    const [event] = decodeQldbRecords([record], SELECT_EVERYTHING);

    // Assess
    expect(event?.deleted).toBe(true);
    expect(event?.version).toBe(4);
    expect(event?.payload.revision).not.toHaveProperty('data');
    expect(JSON.stringify(event)).not.toContain('"data"');
  });

  it('returns one event per user record of an aggregated record of 50 records, in order', () => {
    // Prepare
    const users = Array.from({ length: 50 }, (_, i) =>
      encodeIon(revisionRecordIon({ documentId: `doc-${i}`, version: i }), i % 2 === 0 ? 'binary' : 'text'),
    );
    const record = pipeRecord(aggregate(users));

    // Act
    const events = decodeQldbRecords([record], SELECT_EVERYTHING);

    // Assess
    expect(events).toHaveLength(50);
    expect(events.map((e) => e.documentId)).toEqual(users.map((_, i) => `doc-${i}`));
    expect(events.map((e) => e.kinesis)).toEqual(
      users.map((_, i) => ({
        sequenceNumber: record.sequenceNumber,
        subSequenceNumber: i,
        partitionKey: 'IiPT4brpZCqCq3f4MTHbYy',
        approximateArrivalTime: 1592510799200,
      })),
    );
  });

  it('decodes a batch mixing aggregated and plain records, keeping stream order', () => {
    // Prepare
    const plainControl = pipeRecord(encodeIon(controlRecordIon('CREATED')));
    const aggregated = pipeRecord(
      aggregate([encodeIon(blockSummaryRecordIon(15)), encodeIon(revisionRecordIon({ documentId: 'a' }))]),
    );
    const plainRevision = pipeRecord(encodeIon(revisionRecordIon({ documentId: 'b' }), 'text'));

    // Act
    const events = decodeQldbRecords([plainControl, aggregated, plainRevision], SELECT_EVERYTHING);

    // Assess
    expect(events.map((e) => [e.recordType, e.kinesis.sequenceNumber, e.kinesis.subSequenceNumber])).toEqual([
      ['CONTROL', plainControl.sequenceNumber, undefined],
      ['BLOCK_SUMMARY', aggregated.sequenceNumber, 0],
      ['REVISION_DETAILS', aggregated.sequenceNumber, 1],
      ['REVISION_DETAILS', plainRevision.sequenceNumber, undefined],
    ]);
  });

  it('fails naming the record and user record when a user record is not valid Ion', () => {
    // Prepare
    const good = encodeIon(controlRecordIon());
    const bad = Buffer.from('{ recordType: "CONTROL", payload: ');
    const record = pipeRecord(aggregate([good, bad]));

    // Act & Assess
    expect(() => decodeQldbRecords([record], SELECT_EVERYTHING)).toThrow(
      new RegExp(`^Kinesis record ${record.sequenceNumber} \\(user record 1\\): not valid Ion`),
    );
  });

  it('fails naming the record when a plain record is Ion but not a QLDB record', () => {
    // Prepare
    const record = pipeRecord(encodeIon('{ recordType: "SOMETHING_ELSE", payload: {} }'));

    // Act
    const act = () => decodeQldbRecords([record], SELECT_EVERYTHING);

    // Assess
    expect(act).toThrow(MalformedRecordError);
    expect(act).toThrow(
      `Kinesis record ${record.sequenceNumber}: recordType "SOMETHING_ELSE" is not a QLDB record type`,
    );
  });

  it('does not accept a record whose fields exist only under __proto__', () => {
    // Prepare
    const record = pipeRecord(encodeIon(`{ __proto__: ${controlRecordIon('CREATED')} }`));

    // Act
    const act = () => decodeQldbRecords([record], SELECT_EVERYTHING);

    // Assess
    expect(act).toThrow(MalformedRecordError);
    expect(act).toThrow(`Kinesis record ${record.sequenceNumber}: recordType null is not a QLDB record type`);
  });

  it('does not accept a revision whose metadata exists only under __proto__', () => {
    // Prepare
    const revision = revisionRecordIon({ documentId: 'hidden' }).replace('metadata: {', '__proto__: { metadata: {');
    const record = pipeRecord(encodeIon(revision.replace(/}\s*}\s*}\s*$/, '} } } }')));

    // Act & Assess
    expect(() => decodeQldbRecords([record], SELECT_EVERYTHING)).toThrow(
      `Kinesis record ${record.sequenceNumber}: REVISION_DETAILS record has no revision.metadata`,
    );
  });

  it('keeps a document field named __proto__ in the published event', () => {
    // Prepare
    const record = pipeRecord(encodeIon(revisionRecordIon({ dataIon: '{ __proto__: "kept", name: "n" }' })));

    // Act
    const [event] = decodeQldbRecords([record], SELECT_EVERYTHING);

    // Assess
    expect(JSON.parse(JSON.stringify(event)).payload.revision.data).toEqual(
      JSON.parse('{"__proto__":"kept","name":"n"}'),
    );
    expect(JSON.stringify(event)).toContain('"data":{"__proto__":"kept","name":"n"}');
  });

  it('fails the whole batch on the first malformed record, naming it', () => {
    // Prepare
    const good = pipeRecord(encodeIon(controlRecordIon()));
    const bad = pipeRecord('%%%');

    // Act & Assess
    expect(() => decodeQldbRecords([good, bad], SELECT_EVERYTHING)).toThrow(
      `Kinesis record ${bad.sequenceNumber}: data is not valid base64`,
    );
  });

  describe('with a selection', () => {
    const batch = () => [
      pipeRecord(encodeIon(controlRecordIon())),
      pipeRecord(encodeIon(blockSummaryRecordIon())),
      pipeRecord(encodeIon(revisionRecordIon({ tableName: 'Orders', documentId: 'o1' }))),
      pipeRecord(encodeIon(revisionRecordIon({ tableName: 'Audit', documentId: 'a1' }))),
    ];

    it('drops CONTROL records when asked', () => {
      // Act
      const events = decodeQldbRecords(batch(), { ...SELECT_EVERYTHING, dropControlRecords: true });

      // Assess
      expect(events.map((e) => e.recordType)).toEqual(['BLOCK_SUMMARY', 'REVISION_DETAILS', 'REVISION_DETAILS']);
    });

    it('keeps only REVISION_DETAILS when asked', () => {
      // Act
      const events = decodeQldbRecords(batch(), { ...SELECT_EVERYTHING, revisionsOnly: true });

      // Assess
      expect(events.map((e) => e.documentId)).toEqual(['o1', 'a1']);
    });

    it('keeps only the included tables', () => {
      // Act
      const events = decodeQldbRecords(batch(), {
        ...SELECT_EVERYTHING,
        revisionsOnly: true,
        includeTables: ['Orders'],
      });

      // Assess
      expect(events.map((e) => e.documentId)).toEqual(['o1']);
    });

    it('drops the excluded tables', () => {
      // Act
      const events = decodeQldbRecords(batch(), { ...SELECT_EVERYTHING, excludeTables: ['Orders'] });

      // Assess
      expect(events.map((e) => e.documentId ?? e.recordType)).toEqual(['CONTROL', 'BLOCK_SUMMARY', 'a1']);
    });
  });
});
