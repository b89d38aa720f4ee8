import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { PresenceEvent } from './presenceEvent.js';

export interface PresenceTableOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long a `connected` row lives without a newer event (DynamoDB TTL). */
  connectedTtlSeconds: number;
  /** How long a `disconnected` row (last seen) is kept. */
  disconnectedTtlSeconds: number;
}

/** One client's presence as stored. */
export interface Presence {
  clientId: string;
  status: 'connected' | 'disconnected';
  eventAt: number;
  expiresAt: number;
  sessionIdentifier?: string;
  disconnectReason?: string;
}

/**
 * The presence table: one row per client id, holding its most recent lifecycle event. Events arrive
 * at least once and out of order, so a write only lands when it is newer than the stored one
 * (conditional put on `eventAt`); a duplicate or an older event changes nothing.
 *
 * @example
 * const table = new PresenceTable({ client, tableName, connectedTtlSeconds: 90000, disconnectedTtlSeconds: 3600 });
 * await table.record({ clientId: 'user-1', eventType: 'connected', timestamp: Date.now() }); // 'applied'
 */
export class PresenceTable {
  constructor(private readonly options: PresenceTableOptions) {}

  /** `applied` when the event is now the row's state, `stale` when a same-age or newer event was already stored. */
  async record(event: PresenceEvent): Promise<'applied' | 'stale'> {
    const ttl =
      event.eventType === 'connected' ? this.options.connectedTtlSeconds : this.options.disconnectedTtlSeconds;
    const expiresAt = Math.floor(event.timestamp / 1000) + ttl;
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            clientId: { S: event.clientId },
            status: { S: event.eventType },
            eventAt: { N: String(event.timestamp) },
            expiresAt: { N: String(expiresAt) },
            ...(event.sessionIdentifier ? { sessionIdentifier: { S: event.sessionIdentifier } } : {}),
            ...(event.disconnectReason ? { disconnectReason: { S: event.disconnectReason } } : {}),
          },
          ConditionExpression: 'attribute_not_exists(clientId) OR eventAt < :eventAt',
          ExpressionAttributeValues: { ':eventAt': { N: String(event.timestamp) } },
        }),
      );
      return 'applied';
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      ) {
        return 'stale';
      }
      throw error;
    }
  }

  /** The stored presence of one client, if any. */
  async get(clientId: string): Promise<Presence | undefined> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: { clientId: { S: clientId } },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return {
      clientId: Item.clientId?.S ?? clientId,
      status: Item.status?.S === 'connected' ? 'connected' : 'disconnected',
      eventAt: Number(Item.eventAt?.N),
      expiresAt: Number(Item.expiresAt?.N),
      ...(Item.sessionIdentifier?.S ? { sessionIdentifier: Item.sessionIdentifier.S } : {}),
      ...(Item.disconnectReason?.S ? { disconnectReason: Item.disconnectReason.S } : {}),
    };
  }
}
