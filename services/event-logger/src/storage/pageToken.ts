import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** Thrown for a `nextToken` that this API did not issue for this query (tampered, truncated or foreign). */
export class InvalidPageTokenError extends Error {
  constructor() {
    super('nextToken is invalid or belongs to a different query');
    this.name = 'InvalidPageTokenError';
  }
}

type Key = Record<string, AttributeValue>;

/** What a page token of one query must hold: the table key `pk`, the index's hash key (fixed) and range key. */
export interface PageKeySpec {
  /** The query's partition: a token from another partition (another tenant's) is refused. */
  hashName: string;
  hashValue: string;
  /** A numeric range key. */
  rangeName: string;
}

const NUMBER = /^-?\d{1,38}(\.\d{1,38})?$/;
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Wraps a DynamoDB `LastEvaluatedKey` in an opaque token. The token is not signed: {@link decodePageToken}
 * accepts only a key inside the query's own partition, so editing a token can at most move the start
 * position within data the caller may read anyway.
 *
 * @example
 * const token = encodePageToken(result.LastEvaluatedKey);
 */
export function encodePageToken(key: Key): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function scalar(key: Record<string, unknown>, name: string, type: 'S' | 'N'): string {
  const value = key[name];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidPageTokenError();
  const types = Object.keys(value);
  const text = (value as Record<string, unknown>)[type];
  if (types.length !== 1 || types[0] !== type || typeof text !== 'string') throw new InvalidPageTokenError();
  return text;
}

/**
 * Unwraps a token from {@link encodePageToken}, checking it is exactly `{ pk, <hashName>, <rangeName> }` with
 * the query's own partition value, an event id and a number; anything else throws {@link InvalidPageTokenError}
 * (a 400), never reaching DynamoDB as a malformed `ExclusiveStartKey` (which would be a 500).
 */
export function decodePageToken(token: string, spec: PageKeySpec): Key {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(token)) throw new InvalidPageTokenError();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPageTokenError();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidPageTokenError();
  const key = parsed as Record<string, unknown>;
  if (Object.keys(key).sort().join() !== ['pk', spec.hashName, spec.rangeName].sort().join()) {
    throw new InvalidPageTokenError();
  }
  const pk = scalar(key, 'pk', 'S');
  const hash = scalar(key, spec.hashName, 'S');
  const range = scalar(key, spec.rangeName, 'N');
  if (hash !== spec.hashValue || !EVENT_ID.test(pk) || !NUMBER.test(range)) throw new InvalidPageTokenError();
  return { pk: { S: pk }, [spec.hashName]: { S: hash }, [spec.rangeName]: { N: range } };
}
