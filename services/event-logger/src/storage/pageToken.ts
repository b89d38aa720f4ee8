import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** Thrown for a `nextToken` that this API did not issue for this query. */
export class InvalidPageTokenError extends Error {
  constructor() {
    super('nextToken is invalid or belongs to a different query');
    this.name = 'InvalidPageTokenError';
  }
}

type Key = Record<string, AttributeValue>;

/**
 * Wraps a DynamoDB `LastEvaluatedKey` in an opaque token bound to the query that produced it, so a token
 * cannot be replayed against another query to page through someone else's index partition.
 *
 * @example
 * const token = encodePageToken('correlationId=abc', result.LastEvaluatedKey);
 */
export function encodePageToken(query: string, key: Key): string {
  return Buffer.from(JSON.stringify({ q: query, k: key }), 'utf8').toString('base64url');
}

/** Unwraps a token from {@link encodePageToken}, checking it was issued for `query` with exactly `keyNames`. */
export function decodePageToken(token: string, query: string, keyNames: readonly string[]): Key {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPageTokenError();
  }
  const { q, k } = (parsed ?? {}) as { q?: unknown; k?: unknown };
  if (q !== query || k === null || typeof k !== 'object' || Array.isArray(k)) throw new InvalidPageTokenError();
  const key = k as Record<string, unknown>;
  const names = Object.keys(key).sort();
  if (names.join() !== [...keyNames].sort().join()) throw new InvalidPageTokenError();
  for (const name of names) {
    const value = key[name] as Record<string, unknown> | null;
    const types = value && typeof value === 'object' ? Object.keys(value) : [];
    const type = types[0];
    if (types.length !== 1 || (type !== 'S' && type !== 'N') || typeof value?.[type] !== 'string') {
      throw new InvalidPageTokenError();
    }
  }
  return key as Key;
}
