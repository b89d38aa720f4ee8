import { HttpError } from '../../src/http/responses.js';
import { parseEventQuery } from '../../src/querying/queryRequest.js';
import { decodePageToken, encodePageToken, InvalidPageTokenError } from '../../src/storage/pageToken.js';

const CORRELATION_ID = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';

describe('Function: parseEventQuery()', () => {
  it('returns a by-id query for a UUID path parameter', () => {
    // Act
    const query = parseEventQuery('1B3C5D7E-0000-4000-8000-000000000001', undefined);

    // Assess
    expect(query).toEqual({ kind: 'byId', id: '1b3c5d7e-0000-4000-8000-000000000001' });
  });

  it('returns a paginated correlation query with the default limit', () => {
    // Act
    const query = parseEventQuery(undefined, { correlationId: CORRELATION_ID });

    // Assess
    expect(query).toEqual({ kind: 'byCorrelation', correlationId: CORRELATION_ID, limit: 25 });
  });

  it('returns a detail-type query with the given limit and token', () => {
    // Act
    const query = parseEventQuery(undefined, { detailType: 'order.placed', limit: '100', nextToken: 'abc' });

    // Assess
    expect(query).toEqual({ kind: 'byDetailType', detailType: 'order.placed', limit: 100, nextToken: 'abc' });
  });

  it.each([
    ['an id that is not a UUID', 'idempotency#x', undefined, /id must be an event id/],
    ['neither filter', undefined, {}, /exactly one of correlationId or detailType/],
    ['both filters', undefined, { correlationId: CORRELATION_ID, detailType: 'x' }, /exactly one/],
    ['a correlationId that is not a UUID', undefined, { correlationId: 'abc' }, /correlationId must be a UUID/],
    ['a limit of 0', undefined, { detailType: 'x', limit: '0' }, /limit must be an integer from 1 to 100/],
    ['a limit of 101', undefined, { detailType: 'x', limit: '101' }, /limit must be/],
    ['a fractional limit', undefined, { detailType: 'x', limit: '2.5' }, /limit must be/],
    ['an unknown parameter', undefined, { detailType: 'x', order: 'desc' }, /unknown query parameter\(s\): order/],
  ])('throws a 400 for %s', (_case, id, params, message) => {
    // Act
    const act = () => parseEventQuery(id, params);

    // Assess
    expect(act).toThrow(HttpError);
    expect(act).toThrow(/Invalid request/);
    try {
      act();
    } catch (error) {
      expect((error as HttpError).details.join('\n')).toMatch(message);
    }
  });
});

describe('Function: decodePageToken()', () => {
  const EVENT_ID = '1b3c5d7e-0000-4000-8000-000000000001';
  const spec = { hashName: 'tenantCorrelation', hashValue: `A#${CORRELATION_ID}`, rangeName: 'sequenceNr' };
  const key = { pk: { S: EVENT_ID }, tenantCorrelation: { S: `A#${CORRELATION_ID}` }, sequenceNr: { N: '3' } };
  const tamper = (edit: Record<string, unknown>) => encodePageToken({ ...key, ...edit } as typeof key);

  it('returns the key a token from encodePageToken wraps', () => {
    // Act
    const decoded = decodePageToken(encodePageToken(key), spec);

    // Assess
    expect(decoded).toEqual(key);
  });

  it.each([
    ['garbage', 'not-base64-json'],
    ['characters outside base64url', `${encodePageToken(key)}==`],
    ['JSON that is not an object', Buffer.from('[1]').toString('base64url')],
    ["another tenant's partition", tamper({ tenantCorrelation: { S: `B#${CORRELATION_ID}` } })],
    [
      'another query of the same tenant',
      tamper({ tenantCorrelation: { S: 'A#6f1d2c3b-0000-4f60-8a7b-9c0d1e2f3a4b' } }),
    ],
    ['a missing attribute', encodePageToken({ pk: key.pk, tenantCorrelation: key.tenantCorrelation } as typeof key)],
    ['an extra attribute', tamper({ tenant: { S: 'A' } })],
    ['a range key that is not a number', tamper({ sequenceNr: { N: '1e999' } })],
    ['a range key of the wrong type', tamper({ sequenceNr: { S: '3' } })],
    ['a non-scalar value', tamper({ sequenceNr: { L: [] } })],
    ['a value with two types', tamper({ pk: { S: EVENT_ID, N: '1' } })],
    ['a pk that is not an event id', tamper({ pk: { S: 'idempotency#A#x#y' } })],
  ])('throws InvalidPageTokenError for %s', (_case, token) => {
    // Act
    const act = () => decodePageToken(token, spec);

    // Assess
    expect(act).toThrow(InvalidPageTokenError);
  });
});
