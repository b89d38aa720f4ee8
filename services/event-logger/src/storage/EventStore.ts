import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { decodeEventBody, encodeEventBody, type LargeEventBodies } from './eventBody.js';
import { decodePageToken, encodePageToken, InvalidPageTokenError } from './pageToken.js';
import { type StoredEvent, tenantOf } from './storedEvent.js';

/** GSI: one tenant's events of one request, in `sequenceNr` order. */
export const BY_CORRELATION_INDEX = 'byTenantCorrelation';
/** GSI: one tenant's events of one detail-type, in `createdAt` order. */
export const BY_DETAIL_TYPE_INDEX = 'byTenantDetailType';
/** Idempotency items share the table; their `pk` cannot collide with an event id (a UUID). */
const IDEMPOTENCY_PREFIX = 'idempotency#';

export interface Page {
  items: StoredEvent[];
  nextToken?: string;
}

export interface PageRequest {
  limit: number;
  nextToken?: string;
}

export type SaveOutcome = 'written' | 'duplicate';

/** Per call: `abortSignal` (e.g. `Deadline.signal()`) abandons the DynamoDB/S3 calls in flight when it fires. */
export interface CallOptions {
  abortSignal?: AbortSignal;
}

/**
 * Most JSON one page of events may hold: a synchronous Lambda response is at most 6 MB, and claim-checked or
 * gzipped bodies make a 1 MB DynamoDB page expand far beyond it. Room is left for the response around the items.
 */
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;

export interface EventStoreOptions {
  idempotencyTtlSeconds?: number;
  /** Default {@link MAX_PAGE_BYTES}; a page always holds at least one event. */
  maxPageBytes?: number;
  /** Where bodies too large for an item go; without it such an event fails to store (and reaches the DLQ). */
  largeBodies?: LargeEventBodies;
  now?: () => number;
}

function isConditionalCheckFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/**
 * The idempotency claim of an event: per tenant and source, so two tenants (or two producers) choosing the
 * same key never collide. Each part is URI-encoded, so a `#` inside a part cannot forge another namespace.
 */
export function idempotencyClaimKey(tenant: string, source: string, idempotencyKey: string): string {
  return `${IDEMPOTENCY_PREFIX}${[tenant, source, idempotencyKey].map(encodeURIComponent).join('#')}`;
}

/** The index range key of an event: `sequenceNr` or `createdAt`. */
function rangeOf(event: StoredEvent, rangeName: string): number {
  return rangeName === 'sequenceNr' ? event.sequenceNr : event.createdAt;
}

/** An index partition value scoped to a tenant (`A#order.placed`); tenant names contain no `#`. */
function scoped(tenant: string, value: string): string {
  return `${tenant}#${value}`;
}

/**
 * The events table: one item per event (`pk` = EventBridge event id; the tenant; the full event, see
 * `encodeEventBody`), plus one idempotency claim per tenant, source and idempotency key. Every read takes
 * the caller's tenant and returns nothing of another tenant's.
 *
 * @example
 * const store = new EventStore(new DynamoDBClient({}), 'event-logger-dev-events');
 * await store.saveOnce(storedEventFrom(JSON.parse(record.body))); // 'written' | 'duplicate'
 * await store.get('A', eventId);
 */
export class EventStore {
  private readonly idempotencyTtlSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly client: Pick<DynamoDBClient, 'send'>,
    private readonly tableName: string,
    private readonly options: EventStoreOptions = {},
  ) {
    this.idempotencyTtlSeconds = options.idempotencyTtlSeconds ?? 7 * 24 * 3600;
    this.now = options.now ?? Date.now;
  }

  /**
   * Writes an event at most once per (tenant, source, idempotency key), safely under at-least-once delivery
   * and crashes:
   * 1. claim the key for this event id (conditional put: free, or already claimed by this same event id);
   * 2. put the event item if it does not exist yet.
   * A different event with a claimed key (a producer's retried PutEvents) and a redelivery of an event already
   * written both come back `'duplicate'` without writing. A crash between 1 and 2 is healed by redelivery of
   * the same event, whose claim still matches.
   */
  async saveOnce(event: StoredEvent, options: CallOptions = {}): Promise<SaveOutcome> {
    const now = this.now();
    const tenant = tenantOf(event);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: idempotencyClaimKey(tenant, event.source, event.idempotencyKey) },
            eventId: { S: event.id },
            expiresAt: { N: String(Math.floor(now / 1000) + this.idempotencyTtlSeconds) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR eventId = :eventId',
          ExpressionAttributeValues: { ':eventId': { S: event.id } },
        }),
        options,
      );
    } catch (error) {
      if (isConditionalCheckFailure(error)) return 'duplicate';
      throw error;
    }
    const body = await encodeEventBody(event, tenant, this.options.largeBodies, options.abortSignal);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: event.id },
            tenant: { S: tenant },
            tenantCorrelation: { S: scoped(tenant, event.correlationId) },
            sequenceNr: { N: String(event.sequenceNr) },
            tenantDetailType: { S: scoped(tenant, event.detailType) },
            createdAt: { N: String(event.createdAt) },
            idempotencyKey: { S: event.idempotencyKey },
            storedAt: { N: String(now) },
            ...body,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        options,
      );
      return 'written';
    } catch (error) {
      if (isConditionalCheckFailure(error)) return 'duplicate';
      throw error;
    }
  }

  /** One of the tenant's events by its EventBridge id; another tenant's event is `undefined`, as a missing one. */
  async get(tenant: string, id: string, options: CallOptions = {}): Promise<StoredEvent | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: id } }, ConsistentRead: false }),
      options,
    );
    if (!Item || Item.tenant?.S !== tenant) return undefined;
    return decodeEventBody(Item, this.options.largeBodies, options.abortSignal);
  }

  /** The tenant's events of one request, in sequence order. */
  byCorrelation(tenant: string, correlationId: string, page: PageRequest, options: CallOptions = {}): Promise<Page> {
    const partition = scoped(tenant, correlationId);
    return this.query(BY_CORRELATION_INDEX, 'tenantCorrelation', partition, 'sequenceNr', page, options);
  }

  /** The tenant's events of one detail-type, oldest first. */
  byDetailType(tenant: string, detailType: string, page: PageRequest, options: CallOptions = {}): Promise<Page> {
    const partition = scoped(tenant, detailType);
    return this.query(BY_DETAIL_TYPE_INDEX, 'tenantDetailType', partition, 'createdAt', page, options);
  }

  private async query(
    index: string,
    hashName: string,
    hashValue: string,
    rangeName: string,
    page: PageRequest,
    options: CallOptions,
  ): Promise<Page> {
    const startKey = page.nextToken ? decodePageToken(page.nextToken, { hashName, hashValue, rangeName }) : undefined;
    let output: { Items?: Record<string, AttributeValue>[]; LastEvaluatedKey?: Record<string, AttributeValue> };
    try {
      output = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index,
          KeyConditionExpression: '#key = :value',
          ExpressionAttributeNames: { '#key': hashName },
          ExpressionAttributeValues: { ':value': { S: hashValue } },
          ScanIndexForward: true,
          Limit: page.limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
        options,
      );
    } catch (error) {
      // A well-formed start key DynamoDB still refuses came from an edited token: the client's fault.
      if (startKey && (error as { name?: string })?.name === 'ValidationException') throw new InvalidPageTokenError();
      throw error;
    }
    // Bodies are read in order until the page is full; the next page then starts after the last event taken.
    const maxBytes = this.options.maxPageBytes ?? MAX_PAGE_BYTES;
    const items: StoredEvent[] = [];
    let bytes = 0;
    let nextKey = output.LastEvaluatedKey;
    for (const item of output.Items ?? []) {
      const event = await decodeEventBody(item, this.options.largeBodies, options.abortSignal);
      const size = Buffer.byteLength(JSON.stringify(event), 'utf8');
      const last = items.at(-1);
      if (last && bytes + size > maxBytes) {
        nextKey = {
          pk: { S: last.id },
          [hashName]: { S: hashValue },
          [rangeName]: { N: String(rangeOf(last, rangeName)) },
        };
        break;
      }
      items.push(event);
      bytes += size;
    }
    return { items, ...(nextKey ? { nextToken: encodePageToken(nextKey) } : {}) };
  }
}
