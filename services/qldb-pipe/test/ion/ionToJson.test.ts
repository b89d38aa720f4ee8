import { Decimal, Timestamp } from 'ion-js';
import { decimalToJson, InvalidIonError, ionToJson, timestampToIso } from '../../src/ion/ionToJson.js';
import { encodeIon } from '../helpers/factories.js';

const EVERY_TYPE = `{
  nullValue: null,
  typedNulls: [null.bool, null.int, null.float, null.decimal, null.timestamp, null.string, null.symbol, null.blob, null.clob, null.list, null.sexp, null.struct],
  bools: [true, false],
  ints: [0, -7, 9007199254740991, 9007199254740992, -9007199254740993, 18446744073709551617],
  floats: [1.5e0, -0.25e0, 1e300, nan, +inf, -inf],
  decimals: [1.5, 0.1, -2.50, 100d-2, 123456789012345678901234567890.12, 12345678901234567890123456789d0, 1d400, 0.0],
  timestamps: [2007T, 2007-02T, 2007-02-23, 2007-02-23T12:14Z, 2007-02-23T12:14:33.079-08:00, 2007-02-23T12:14:33.079000+05:30, 2007-02-23T12:14:33-00:00],
  text: "héllo \\U0001F600",
  symbol: 'a symbol',
  blob: {{aGVsbG8gd29ybGQ=}},
  clob: {{"text\\xff"}},
  annotated: unit::meters::42,
  sexp: (+ 1 (f x) "s"),
  nested: { list: [{ a: 1 }], 'quoted field': [] }
}`;

const EXPECTED = {
  nullValue: null,
  typedNulls: [null, null, null, null, null, null, null, null, null, null, null, null],
  bools: [true, false],
  ints: [0, -7, 9007199254740991, '9007199254740992', '-9007199254740993', '18446744073709551617'],
  floats: [1.5, -0.25, 1e300, null, null, null],
  decimals: [1.5, '0.1', -2.5, 1, '123456789012345678901234567890.12', '12345678901234567890123456789', '1e400', 0],
  timestamps: [
    '2007',
    '2007-02',
    '2007-02-23',
    '2007-02-23T12:14Z',
    '2007-02-23T12:14:33.079-08:00',
    '2007-02-23T12:14:33.079000+05:30',
    '2007-02-23T12:14:33Z',
  ],
  text: 'héllo 😀',
  symbol: 'a symbol',
  blob: 'aGVsbG8gd29ybGQ=',
  clob: 'text\u00ff',
  annotated: 42,
  sexp: ['+', 1, ['f', 'x'], 's'],
  nested: { list: [{ a: 1 }], 'quoted field': [] },
};

describe('Function: ionToJson()', () => {
  it.each(['binary', 'text'] as const)(
    'down-converts every Ion type to JSON without losing a digit (%s Ion)',
    (encoding) => {
      // Prepare
      const bytes = encodeIon(EVERY_TYPE, encoding);

      // Act
      const [value] = ionToJson(bytes);

      // Assess
      expect(value).toEqual(EXPECTED);
    },
  );

  it('keeps 18446744073709551617 exact where JSON.parse(JSON.stringify(ion.load())) would round it', () => {
    // Prepare
    const bytes = encodeIon('{ big: 18446744073709551617 }');

    // Act
    const json = JSON.stringify(ionToJson(bytes)[0]);

    // Assess
    expect(json).toBe('{"big":"18446744073709551617"}');
  });

  it.each(['binary', 'text'] as const)(
    'keeps a field named __proto__ as data, with no effect on the prototype (%s Ion)',
    (encoding) => {
      // Prepare
      const bytes = encodeIon('{ __proto__: { polluted: true }, plain: 1 }', encoding);

      // Act
      const [value] = ionToJson(bytes) as [Record<string, unknown>];

      // Assess
      expect(Object.keys(value)).toEqual(['__proto__', 'plain']);
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(value.polluted).toBeUndefined();
      expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: true });
      expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":true},"plain":1}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('returns every top-level value of a stream', () => {
    // Prepare
    const bytes = encodeIon('1 two "three"', 'text');

    // Act
    const values = ionToJson(bytes);

    // Assess
    expect(values).toEqual([1, 'two', 'three']);
  });

  it('throws InvalidIonError for text that is not Ion', () => {
    // Prepare
    const bytes = Buffer.from('{ a: 1, b: ');

    // Act & Assess
    expect(() => ionToJson(bytes)).toThrow(InvalidIonError);
  });

  it('throws InvalidIonError for a binary stream cut short', () => {
    // Prepare
    const whole = encodeIon('{ a: "some text", b: [1, 2, 3] }');
    const truncated = whole.subarray(0, whole.length - 4);

    // Act & Assess
    expect(() => ionToJson(truncated)).toThrow(/truncated or trailing bytes|not valid Ion/);
  });

  it('throws InvalidIonError for a binary stream with an unknown type code', () => {
    // Prepare
    const bytes = Buffer.from([0xe0, 0x01, 0x00, 0xea, 0xff, 0xff]);

    // Act & Assess
    expect(() => ionToJson(bytes)).toThrow(InvalidIonError);
  });
});

describe('Function: decimalToJson()', () => {
  it.each([
    ['0.5', 0.5],
    ['0.1', '0.1'],
    ['-0.125', -0.125],
    ['1234567890123456789012345678.90', '1234567890123456789012345678.90'],
    ['9007199254740993', '9007199254740993'],
    ['9007199254740992', 9007199254740992],
    ['1.000', 1],
  ])('converts %s to %p', (text, expected) => {
    // Prepare
    const decimal = new Decimal(text);

    // Act
    const json = decimalToJson(decimal);

    // Assess
    expect(json).toEqual(expected);
  });
});

describe('Function: timestampToIso()', () => {
  it('keeps fractional-second precision and the offset', () => {
    // Prepare
    const timestamp = Timestamp.parse('2024-03-01T23:59:59.123456789+01:00') as Timestamp;

    // Act
    const iso = timestampToIso(timestamp);

    // Assess
    expect(iso).toBe('2024-03-01T23:59:59.123456789+01:00');
  });
});
