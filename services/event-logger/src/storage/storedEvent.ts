import { type Envelope, parseEnvelope } from '@blueprints/common';
import { TENANT_NAME } from '../tenancy/callerTenant.js';

/** A persisted event: the EventBridge event's identity plus its envelope. */
export interface StoredEvent extends Envelope {
  id: string;
  source: string;
  detailType: string;
  /** EventBridge's `time` (ISO 8601, second precision). */
  time: string;
  account: string;
  region: string;
  resources: string[];
}

/** Thrown for a message that is not an EventBridge event (no id, source or detail-type). */
export class MalformedEventError extends Error {
  constructor(problem: string) {
    super(`Not an EventBridge event: ${problem}`);
    this.name = 'MalformedEventError';
  }
}

/** The tenant of a stored event: `context.brand`, which `POST /events` sets from the caller's identity. */
export function tenantOf(event: Pick<StoredEvent, 'context'>): string {
  return (event.context as { brand: string }).brand;
}

function parseTenantContext(context: Record<string, unknown>): Record<string, unknown> {
  if (typeof context.brand !== 'string' || !TENANT_NAME.test(context.brand)) {
    throw new MalformedEventError(
      'detail.context.brand (the tenant) is missing or invalid: every stored event belongs to one tenant',
    );
  }
  return context;
}

/**
 * Reads an EventBridge event (as a rule delivers it to SQS or Lambda) into a {@link StoredEvent}, validating
 * its envelope (throws `InvalidEnvelopeError` naming the bad field) and its tenant (`context.brand`; throws
 * {@link MalformedEventError} without one: an event nobody owns could never be read back).
 *
 * @example
 * const stored = storedEventFrom(JSON.parse(sqsRecord.body));
 */
export function storedEventFrom(event: unknown): StoredEvent {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new MalformedEventError('expected a JSON object');
  }
  const e = event as Record<string, unknown>;
  for (const field of ['id', 'source', 'detail-type']) {
    if (typeof e[field] !== 'string' || e[field] === '') throw new MalformedEventError(`"${field}" is missing`);
  }
  const envelope = parseEnvelope(e.detail, parseTenantContext);
  return {
    id: e.id as string,
    source: e.source as string,
    detailType: e['detail-type'] as string,
    time: typeof e.time === 'string' ? e.time : new Date(envelope.createdAt).toISOString(),
    account: typeof e.account === 'string' ? e.account : '',
    region: typeof e.region === 'string' ? e.region : '',
    resources: Array.isArray(e.resources) ? e.resources.map(String) : [],
    ...envelope,
  };
}
