import { type LocalDynamoDb, startLocalDynamoDb } from '@blueprints/local-storage';

/**
 * A `persist`-style consumer's store on a real local DynamoDB (dynalite): one item per idempotency
 * key, written with `attribute_not_exists(pk)` as a persisting consumer claims an event. It speaks
 * DynamoDB's JSON protocol directly, so this service needs no DynamoDB client of its own.
 */
export interface RevisionStore {
  /** Stores the event once; false when its key was already stored (a duplicate delivery). */
  saveOnce(idempotencyKey: string, detail: unknown): Promise<boolean>;
  close(): Promise<void>;
}

export async function startRevisionStore(tableName = 'qldb-revisions'): Promise<RevisionStore> {
  const ddb: LocalDynamoDb = await startLocalDynamoDb();
  const call = async (operation: string, body: unknown): Promise<{ status: number; type?: string }> => {
    const response = await fetch(ddb.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
        'x-amz-date': '20260101T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { __type?: string };
    return { status: response.status, ...(json.__type ? { type: json.__type } : {}) };
  };
  const created = await call('CreateTable', {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  if (created.status !== 200) throw new Error(`CreateTable failed: ${created.type}`);
  return {
    async saveOnce(idempotencyKey, detail) {
      const put = await call('PutItem', {
        TableName: tableName,
        Item: { pk: { S: idempotencyKey }, detail: { S: JSON.stringify(detail) } },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      if (put.status === 200) return true;
      if (put.type?.endsWith('ConditionalCheckFailedException')) return false;
      throw new Error(`PutItem failed: ${put.status} ${put.type}`);
    },
    close: () => ddb.close(),
  };
}
