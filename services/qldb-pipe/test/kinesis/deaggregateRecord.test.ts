import { createHash } from 'node:crypto';
import { MalformedRecordError } from '../../src/errors.js';
import { deaggregateRecord, KPL_MAGIC } from '../../src/kinesis/deaggregateRecord.js';
import { aggregate, corruptMd5 } from '../helpers/factories.js';

const record = (
  data: Buffer | string,
  sequenceNumber = '49590338271490256608559692538361571095921575989136588901',
) => ({
  data: typeof data === 'string' ? data : data.toString('base64'),
  partitionKey: 'pk',
  sequenceNumber,
});

describe('Function: deaggregateRecord()', () => {
  it('returns a record that is not aggregated as its single user record', () => {
    // Prepare
    const plain = Buffer.from('plain payload');

    // Act
    const users = deaggregateRecord(record(plain));

    // Assess
    expect(users).toEqual([
      { sequenceNumber: '49590338271490256608559692538361571095921575989136588901', partitionKey: 'pk', data: plain },
    ]);
  });

  it('returns the 50 user records of an aggregated record, in order, with their sub-sequence numbers', () => {
    // Prepare
    const payloads = Array.from({ length: 50 }, (_, i) => Buffer.from(`user record ${i}`));
    const aggregated = aggregate(payloads);

    // Act
    const users = deaggregateRecord(record(aggregated));

    // Assess
    expect(aggregated.subarray(0, 4)).toEqual(KPL_MAGIC);
    expect(users).toHaveLength(50);
    expect(users.map((u) => u.data.toString())).toEqual(payloads.map((p) => p.toString()));
    expect(users.map((u) => u.subSequenceNumber)).toEqual(payloads.map((_, i) => i));
  });

  it('fails naming the record when the MD5 trailer does not match', () => {
    // Prepare
    const aggregated = corruptMd5(aggregate([Buffer.from('a'), Buffer.from('b')]));

    // Act & Assess
    expect(() => deaggregateRecord(record(aggregated, '111'))).toThrow(
      new MalformedRecordError('111', 'KPL aggregated record fails its MD5 checksum'),
    );
  });

  it('fails naming the record when the protobuf is truncated (with a matching MD5)', () => {
    // Prepare
    const aggregated = aggregate([Buffer.from('first user record'), Buffer.from('second user record')]);
    const body = aggregated.subarray(4, aggregated.length - 16);
    const truncated = body.subarray(0, body.length - 7);
    const rebuilt = Buffer.concat([KPL_MAGIC, truncated, createHash('md5').update(truncated).digest()]);

    // Act & Assess
    expect(() => deaggregateRecord(record(rebuilt, '222'))).toThrow(
      /^Kinesis record 222: KPL aggregated record does not decode \(.+\)$/,
    );
  });

  it('fails naming the record when an aggregated record is shorter than its trailer', () => {
    // Prepare
    const tiny = Buffer.concat([KPL_MAGIC, Buffer.from([1, 2, 3])]);

    // Act & Assess
    expect(() => deaggregateRecord(record(tiny, '333'))).toThrow(
      'Kinesis record 333: KPL aggregated record is shorter',
    );
  });

  it('fails naming the record when data is not base64', () => {
    // Prepare
    const notBase64 = 'this is *not* base64!';

    // Act & Assess
    expect(() => deaggregateRecord(record(notBase64, '444'))).toThrow(
      new MalformedRecordError('444', 'data is not valid base64'),
    );
  });
});
