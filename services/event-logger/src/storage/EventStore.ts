import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { decodePageToken, encodePageToken } from './pageToken.js';
import type { StoredEvent } from './storedEvent.js';

/** GSI: every event of one request, in `sequenceNr` order. */
export const BY_CORRELATION_INDEX = 'byCorrelation';
/** GSI: every event of one detail-type, in `createdAt` order. */
export const BY_DETAIL_TYPE_INDEX = 'byDetailType';
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

/** The client the handlers use: fail fast on a dead connection so the SDK's retries fit in the function timeout. */
export function dynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({ requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 } });
}

function isConditionalCheckFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/**
 * The events table: one item per event (`pk` = EventBridge event id, the full event as JSON in `event`),
 * plus one idempotency item per idempotency key.
 *
 * @example
 * const store = new EventStore(new DynamoDBClient({}), 'event-logger-dev-events');
 * await store.saveOnce(storedEventFrom(JSON.parse(record.body))); // 'written' | 'duplicate'
 */
export class EventStore {
  constructor(
    private readonly client: Pick<DynamoDBClient, 'send'>,
    private readonly tableName: string,
    private readonly options: { idempotencyTtlSeconds: number; now?: () => number } = {
      idempotencyTtlSeconds: 7 * 24 * 3600,
    },
  ) {}

  /**
   * Writes an event at most once per idempotency key, safely under at-least-once delivery and crashes:
   * 1. claim the key for this event id (conditional put: free, or already claimed by this same event id);
   * 2. put the event item if it does not exist yet.
   * A different event with a claimed key (a producer's retried PutEvents) and a redelivery of an event already
   * written both come back `'duplicate'` without writing. A crash between 1 and 2 is healed by redelivery of
   * the same event, whose claim still matches.
   */
  async saveOnce(event: StoredEvent): Promise<SaveOutcome> {
    const now = (this.options.now ?? Date.now)();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: `${IDEMPOTENCY_PREFIX}${event.idempotencyKey}` },
            eventId: { S: event.id },
            expiresAt: { N: String(Math.floor(now / 1000) + this.options.idempotencyTtlSeconds) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR eventId = :eventId',
          ExpressionAttributeValues: { ':eventId': { S: event.id } },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailure(error)) return 'duplicate';
      throw error;
    }
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: event.id },
            correlationId: { S: event.correlationId },
            sequenceNr: { N: String(event.sequenceNr) },
            detailType: { S: event.detailType },
            createdAt: { N: String(event.createdAt) },
            idempotencyKey: { S: event.idempotencyKey },
            storedAt: { N: String(now) },
            event: { S: JSON.stringify(event) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'written';
    } catch (error) {
      if (isConditionalCheckFailure(error)) return 'duplicate';
      throw error;
    }
  }

  /** One event by its EventBridge id. */
  async get(id: string): Promise<StoredEvent | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: id } }, ConsistentRead: false }),
    );
    return Item?.event?.S ? (JSON.parse(Item.event.S) as StoredEvent) : undefined;
  }

  /** The events of one request, in sequence order. */
  byCorrelation(correlationId: string, page: PageRequest): Promise<Page> {
    return this.query(
      BY_CORRELATION_INDEX,
      'correlationId',
      correlationId,
      ['pk', 'correlationId', 'sequenceNr'],
      page,
    );
  }

  /** The events of one detail-type, oldest first. */
  byDetailType(detailType: string, page: PageRequest): Promise<Page> {
    return this.query(BY_DETAIL_TYPE_INDEX, 'detailType', detailType, ['pk', 'detailType', 'createdAt'], page);
  }

  private async query(
    index: string,
    attribute: string,
    value: string,
    keyNames: string[],
    page: PageRequest,
  ): Promise<Page> {
    const binding = `${index}:${value}`;
    const startKey: Record<string, AttributeValue> | undefined = page.nextToken
      ? decodePageToken(page.nextToken, binding, keyNames)
      : undefined;
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: '#key = :value',
        ExpressionAttributeNames: { '#key': attribute },
        ExpressionAttributeValues: { ':value': { S: value } },
        ScanIndexForward: true,
        Limit: page.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const items = (output.Items ?? []).flatMap((item) =>
      item.event?.S ? [JSON.parse(item.event.S) as StoredEvent] : [],
    );
    return {
      items,
      ...(output.LastEvaluatedKey ? { nextToken: encodePageToken(binding, output.LastEvaluatedKey) } : {}),
    };
  }
}
