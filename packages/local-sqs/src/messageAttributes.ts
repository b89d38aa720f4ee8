import { createHash } from 'node:crypto';
import { invalidParameterValue, unsupportedOperation } from './errors.js';

/** A message attribute as the SQS JSON protocol carries it (binary values are base64 strings). */
export interface SqsMessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

export type SqsMessageAttributes = Record<string, SqsMessageAttributeValue>;

const MAX_ATTRIBUTES = 10;
const NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;

/**
 * Checks message (or message system) attributes the way SQS does and returns how many bytes they
 * add to the message size (name + data type + value).
 */
export function validateMessageAttributes(attributes: unknown, kind: 'message' | 'system' = 'message'): number {
  if (attributes === undefined || attributes === null) return 0;
  if (typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw invalidParameterValue(`Message ${kind} attributes must be a map of name to value.`);
  }
  const entries = Object.entries(attributes as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES) {
    throw invalidParameterValue(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`,
    );
  }
  let size = 0;
  for (const [name, raw] of entries) {
    if (kind === 'system' && name !== 'AWSTraceHeader') {
      throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    }
    const lower = name.toLowerCase();
    if (
      !NAME.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      (kind === 'message' && (lower.startsWith('aws.') || lower.startsWith('amazon.')))
    ) {
      throw invalidParameterValue(`Message attribute name '${name}' is invalid.`);
    }
    const value = raw as SqsMessageAttributeValue | null;
    if (!value || typeof value !== 'object' || typeof value.DataType !== 'string' || !DATA_TYPE.test(value.DataType)) {
      throw invalidParameterValue(
        `The type of message attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    if (value.StringListValues?.length || value.BinaryListValues?.length) {
      throw unsupportedOperation('Message attribute list values in SendMessage operation are not supported.');
    }
    const binary = value.DataType.startsWith('Binary');
    const present = binary ? value.BinaryValue : value.StringValue;
    if (typeof present !== 'string' || present === '') {
      throw invalidParameterValue(
        `Message attribute '${name}' must contain a non-empty value of type '${value.DataType}'.`,
      );
    }
    if (value.DataType.startsWith('Number') && (present.trim() === '' || !Number.isFinite(Number(present)))) {
      throw invalidParameterValue(`Can't cast the value of message attribute '${name}' to a number.`);
    }
    const valueBytes = binary ? Buffer.from(present, 'base64').length : Buffer.byteLength(present);
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType) + valueBytes;
  }
  return size;
}

/** Keeps only the fields SQS stores (and drops empty list members the SDK may send). */
export function normaliseMessageAttributes(attributes: unknown): SqsMessageAttributes {
  const out: SqsMessageAttributes = {};
  for (const [name, raw] of Object.entries((attributes ?? {}) as Record<string, SqsMessageAttributeValue>)) {
    const value: SqsMessageAttributeValue = { DataType: raw.DataType };
    if (raw.DataType.startsWith('Binary')) value.BinaryValue = raw.BinaryValue;
    else value.StringValue = raw.StringValue;
    out[name] = value;
  }
  return out;
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * The `MD5OfMessageAttributes` SQS computes: attributes sorted by name, each encoded as
 * length-prefixed name, length-prefixed data type, a transport byte (1 string, 2 binary) and the
 * length-prefixed value. `undefined` when there are no attributes.
 */
export function md5OfMessageAttributes(attributes: SqsMessageAttributes): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of names) {
    const value = attributes[name] as SqsMessageAttributeValue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(value.DataType, 'utf8'));
    if (value.DataType.startsWith('Binary')) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(value.BinaryValue ?? '', 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

/** Selects the attributes a `MessageAttributeNames` list asks for (`All`, `.*`, `prefix.*`, exact names). */
export function selectMessageAttributes(attributes: SqsMessageAttributes, requested: string[]): SqsMessageAttributes {
  if (requested.length === 0) return {};
  const wanted = (name: string) =>
    requested.some(
      (r) => r === 'All' || r === '.*' || r === name || (r.endsWith('.*') && name.startsWith(r.slice(0, -1))),
    );
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => wanted(name)));
}
