import { type Decimal, IonTypes, makeReader, type Reader, type Timestamp } from 'ion-js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The Ion bytes are not a readable Ion stream (bad type codes, truncation, trailing garbage). */
export class InvalidIonError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'InvalidIonError';
  }
}

const BINARY_VERSION_MARKER = [0xe0, 0x01, 0x00, 0xea];

/**
 * Converts every top-level value of an Ion stream (binary or text) to JSON values by the Ion
 * specification's down-conversion, without losing a digit:
 * - null and typed nulls → `null`; annotations dropped; list and sexp → array; struct → object;
 * - int → number when it is a safe integer (|n| < 2^53), otherwise its decimal string;
 * - decimal → number only when a double holds it exactly, otherwise its plain decimal string;
 * - float → number (nan and ±inf → `null`, as the spec says);
 * - timestamp → ISO-8601 string keeping its precision and offset (unknown offset `-00:00` → `Z`);
 * - symbol and string → string; blob → base64; clob → one character per byte (latin1).
 *
 * It walks the Ion reader itself: `JSON.parse(JSON.stringify(ion.load(x)))` rounds big ints and
 * long decimals through doubles.
 *
 * @example
 * ionToJson(Buffer.from('{ a: 18446744073709551617, t: 2024-01-02T03:04:05.678+01:00 }'));
 * // [{ a: '18446744073709551617', t: '2024-01-02T03:04:05.678+01:00' }]
 */
export function ionToJson(bytes: Uint8Array): JsonValue[] {
  const values: JsonValue[] = [];
  let reader: Reader;
  try {
    reader = makeReader(bytes);
    while (reader.next() !== null) values.push(readValue(reader));
  } catch (error) {
    if (error instanceof InvalidIonError) throw error;
    throw new InvalidIonError(`not valid Ion (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
  // ion-js's binary reader does not notice a value that runs past the end of its input, nor bytes
  // it cannot parse after the last value: the reader's position must land exactly on the end.
  if (isBinaryIon(bytes) && reader.position() !== bytes.length) {
    throw new InvalidIonError(
      `not valid Ion (binary stream ends at byte ${reader.position()} of ${bytes.length}: truncated or trailing bytes)`,
    );
  }
  return values;
}

function isBinaryIon(bytes: Uint8Array): boolean {
  return BINARY_VERSION_MARKER.every((b, i) => bytes[i] === b);
}

function readValue(reader: Reader): JsonValue {
  const type = reader.type();
  if (type === null || reader.isNull()) return null;
  switch (type) {
    case IonTypes.BOOL:
      return reader.booleanValue();
    case IonTypes.INT:
      return bigIntToJson(reader.bigIntValue() as bigint);
    case IonTypes.FLOAT: {
      const value = reader.numberValue() as number;
      return Number.isFinite(value) ? value : null;
    }
    case IonTypes.DECIMAL:
      return decimalToJson(reader.decimalValue() as Decimal);
    case IonTypes.TIMESTAMP:
      return timestampToIso(reader.timestampValue() as Timestamp);
    case IonTypes.SYMBOL:
    case IonTypes.STRING:
      return reader.stringValue();
    case IonTypes.BLOB:
      return Buffer.from(reader.uInt8ArrayValue() as Uint8Array).toString('base64');
    case IonTypes.CLOB:
      return Buffer.from(reader.uInt8ArrayValue() as Uint8Array).toString('latin1');
    case IonTypes.LIST:
    case IonTypes.SEXP: {
      const items: JsonValue[] = [];
      reader.stepIn();
      while (reader.next() !== null) items.push(readValue(reader));
      reader.stepOut();
      return items;
    }
    case IonTypes.STRUCT: {
      const object: { [key: string]: JsonValue } = {};
      reader.stepIn();
      while (reader.next() !== null) {
        const name = reader.fieldName();
        if (name === null) throw new InvalidIonError('struct field without a name');
        setField(object, name, readValue(reader));
      }
      reader.stepOut();
      return object;
    }
  }
  throw new InvalidIonError(`unsupported Ion type ${type.name}`);
}

/**
 * Sets an own, enumerable field. A plain `object[name] = value` with the name `__proto__` would
 * replace the object's prototype instead (the field disappears, and its contents show through as
 * inherited fields); defining the property keeps it as data, and `JSON.stringify` still writes it.
 */
function setField(object: { [key: string]: JsonValue }, name: string, value: JsonValue): void {
  Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
}

/** An int as a JSON number when it is a safe integer, otherwise as its exact decimal string. */
export function bigIntToJson(value: bigint): number | string {
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
}

/**
 * A decimal as a JSON number when a double holds exactly the same value, otherwise as a plain
 * decimal string (`"123456789012345678901234567890.12"`), so no digit is ever rounded away.
 */
export function decimalToJson(decimal: Decimal): number | string {
  const exponent = decimal.getExponent();
  const coefficient = decimal.getCoefficient();
  const negative = decimal.isNegative();
  const digits = (coefficient < 0n ? -coefficient : coefficient).toString();
  const text = plainDecimal(negative, digits, exponent);
  if (coefficient === 0n) return negative ? -0 : 0;
  const asNumber = Number(text);
  return Number.isFinite(asNumber) && doubleEquals(asNumber, coefficient, exponent) ? asNumber : text;
}

function plainDecimal(negative: boolean, digits: string, exponent: number): string {
  const sign = negative ? '-' : '';
  if (exponent >= 0) return exponent > 64 ? `${sign}${digits}e${exponent}` : `${sign}${digits}${'0'.repeat(exponent)}`;
  const scale = -exponent;
  if (scale > 64 + digits.length) return `${sign}${digits}e${exponent}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${sign}${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
}

/** Whether `double` is exactly coefficient × 10^exponent (compared as rationals with bigints). */
function doubleEquals(double: number, coefficient: bigint, exponent: number): boolean {
  const [mantissa, binaryExponent] = exactBinary(double);
  // mantissa × 2^binaryExponent  ==  coefficient × 10^exponent
  let left = mantissa;
  let right = coefficient;
  if (binaryExponent >= 0) left <<= BigInt(binaryExponent);
  else right <<= BigInt(-binaryExponent);
  if (exponent >= 0) right *= 10n ** BigInt(exponent);
  else left *= 10n ** BigInt(-exponent);
  return left === right;
}

/** A finite double as an exact integer mantissa and power of two. */
function exactBinary(value: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  if (biased === 0) return [sign * fraction, -1074];
  return [sign * (fraction | (1n << 52n)), biased - 1075];
}

/**
 * A timestamp as ISO-8601 text, keeping Ion's precision: `2007`, `2007-02`, `2007-02-23`,
 * `2007-02-23T12:14Z`, `2007-02-23T12:14:33.079000-08:00`. Ion's unknown offset (`-00:00`, "UTC,
 * local offset unknown") becomes `Z`: the same instant, in a form ISO-8601 parsers accept.
 */
export function timestampToIso(timestamp: Timestamp): string {
  const text = timestamp.toString();
  if (text.endsWith('T')) return text.slice(0, -1);
  return text.endsWith('-00:00') ? `${text.slice(0, -6)}Z` : text;
}
