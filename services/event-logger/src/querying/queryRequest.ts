import { isUuid } from '@blueprints/common';
import { HttpError } from '../http/responses.js';

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

export type EventQuery =
  | { kind: 'byId'; id: string }
  | { kind: 'byCorrelation'; correlationId: string; limit: number; nextToken?: string }
  | { kind: 'byDetailType'; detailType: string; limit: number; nextToken?: string };

const LIST_PARAMETERS = new Set(['correlationId', 'detailType', 'limit', 'nextToken']);

/**
 * Reads `GET /events/{id}` or `GET /events?correlationId=…|detailType=…[&limit=…][&nextToken=…]`.
 * Throws a 400 {@link HttpError} naming every problem.
 *
 * @example
 * parseEventQuery(undefined, { correlationId: '0b7c…', limit: '10' });
 */
export function parseEventQuery(
  id: string | undefined,
  params: Record<string, string | undefined> | undefined,
): EventQuery {
  const query = params ?? {};
  if (id !== undefined) {
    // Event ids are UUIDs; anything else (including idempotency items' keys) is not an event.
    if (!isUuid(id)) throw new HttpError(400, 'Invalid request', ['id must be an event id (a UUID)']);
    return { kind: 'byId', id: id.toLowerCase() };
  }
  const problems: string[] = [];
  const unknown = Object.keys(query).filter((k) => !LIST_PARAMETERS.has(k));
  if (unknown.length) problems.push(`unknown query parameter(s): ${unknown.join(', ')}`);
  const { correlationId, detailType, limit: rawLimit, nextToken } = query;
  if ((correlationId === undefined) === (detailType === undefined)) {
    problems.push('give exactly one of correlationId or detailType');
  }
  if (correlationId !== undefined && !isUuid(correlationId)) problems.push('correlationId must be a UUID');
  if (detailType !== undefined && (detailType === '' || detailType.length > 128)) {
    problems.push('detailType must be 1 to 128 characters');
  }
  let limit = DEFAULT_PAGE_SIZE;
  if (rawLimit !== undefined) {
    limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      problems.push(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
  }
  if (nextToken !== undefined && (nextToken === '' || nextToken.length > 2048)) problems.push('nextToken is invalid');
  if (problems.length) throw new HttpError(400, 'Invalid request', problems);
  const page = { limit, ...(nextToken ? { nextToken } : {}) };
  return correlationId !== undefined
    ? { kind: 'byCorrelation', correlationId: correlationId.toLowerCase(), ...page }
    : { kind: 'byDetailType', detailType: detailType as string, ...page };
}
