import { eventEntrySize, fullJitterBackoff, InvalidEnvelopeError, parseEnvelope } from '../../src/events/index.js';
import { envelopeFactory } from './helpers/factories.js';

describe('Function: parseEnvelope()', () => {
  it('returns the envelope when every field is valid', () => {
    // Prepare
    const detail = envelopeFactory();

    // Act
    const envelope = parseEnvelope(detail);

    // Assess
    expect(envelope).toEqual(detail);
  });

  it.each([
    ['detail', 'not an object', /detail must be an object/],
    ['detail.createdAt', envelopeFactory({ createdAt: '2026-01-01' }), /createdAt must be epoch milliseconds/],
    ['detail.createdAt', envelopeFactory({ createdAt: 1.5 }), /createdAt/],
    ['detail.correlationId', envelopeFactory({ correlationId: 'abc' }), /correlationId must be a UUID/],
    ['detail.correlationId', envelopeFactory({ correlationId: undefined }), /correlationId must be a UUID \(missing\)/],
    ['detail.sequenceNr', envelopeFactory({ sequenceNr: 0 }), /sequenceNr must be an integer >= 1/],
    ['detail.sequenceNr', envelopeFactory({ sequenceNr: '1' }), /sequenceNr/],
    ['detail.idempotencyKey', envelopeFactory({ idempotencyKey: '' }), /idempotencyKey must be a string/],
    ['detail.idempotencyKey', envelopeFactory({ idempotencyKey: 'k'.repeat(257) }), /idempotencyKey/],
    ['detail.persist', envelopeFactory({ persist: 'yes' }), /persist must be true or false/],
    ['detail.context', envelopeFactory({ context: [] }), /context must be an object/],
    ['detail.context', envelopeFactory({ context: null }), /context must be an object/],
  ])('throws InvalidEnvelopeError naming %s when it is invalid', (field, detail, message) => {
    // Act
    const act = () => parseEnvelope(detail);

    // Assess
    expect(act).toThrow(InvalidEnvelopeError);
    expect(act).toThrow(message);
    try {
      act();
    } catch (error) {
      expect((error as InvalidEnvelopeError).field).toBe(field);
    }
  });

  it('validates the context with the given parser', () => {
    // Prepare
    const parseOrder = (c: Record<string, unknown>) => {
      if (typeof c.brand !== 'string') throw new TypeError('brand is required');
      return { brand: c.brand };
    };

    // Act
    const envelope = parseEnvelope(envelopeFactory({ context: { brand: 'B', extra: 1 } }), parseOrder);

    // Assess
    expect(envelope.context).toEqual({ brand: 'B' });
    expect(() => parseEnvelope(envelopeFactory({ context: {} }), parseOrder)).toThrow('brand is required');
  });
});

describe('Function: eventEntrySize()', () => {
  it('counts the UTF-8 bytes of Source, DetailType, Detail and every Resource, and 14 bytes for a Time', () => {
    // Prepare
    const entry = {
      Source: 'app',
      DetailType: 'ü',
      Detail: '{"a":"€"}',
      Resources: ['arn:a', 'arn:bb'],
      EventBusName: 'not-counted',
    };

    // Act
    const withoutTime = eventEntrySize(entry);
    const withTime = eventEntrySize({ ...entry, Time: new Date() });
    const withEpochTime = eventEntrySize({ ...entry, Time: 1_767_225_600 });

    // Assess
    expect(withoutTime).toBe(3 + 2 + 11 + 5 + 6);
    expect(withTime).toBe(14 + withoutTime);
    expect(withEpochTime).toBe(14 + withoutTime);
  });

  it('counts fields of the wrong type as absent', () => {
    // Prepare
    const entry = { Source: 42, DetailType: 'x', Detail: { not: 'a string' }, Resources: 'arn:not-a-list' };

    // Act
    const size = eventEntrySize(entry);

    // Assess
    expect(size).toBe(1);
  });
});

describe('Function: fullJitterBackoff()', () => {
  it('returns a wait below the doubled ceiling, never above maxDelayMs', () => {
    // Prepare
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };

    // Act
    const ceilings = [1, 2, 3, 4, 5, 10].map((retry) => fullJitterBackoff(retry, policy, () => 0.9999999));
    const lowest = fullJitterBackoff(3, policy, () => 0);

    // Assess
    expect(ceilings).toEqual([99, 199, 399, 799, 999, 999]);
    expect(lowest).toBe(0);
  });
});
