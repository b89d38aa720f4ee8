import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { type CfnTemplate, TemplateResolver } from '@blueprints/packaging';
import { createTablesFromTemplate, type LocalDynamoDb, startLocalDynamoDb } from '../src/index.js';

const stack = { stackName: 'events-dev', region: 'eu-west-1', accountId: '123456789012' };

function client(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: stack.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Shaped like an event log table: pk, two GSIs, on-demand billing, TTL. */
function eventsTemplate(): CfnTemplate {
  return {
    Resources: {
      EventsTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: { 'Fn::Sub': `\${AWS::StackName}-events` },
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'correlationId', AttributeType: 'S' },
            { AttributeName: 'sequenceNr', AttributeType: 'N' },
          ],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: [
            {
              IndexName: 'byCorrelationId',
              KeySchema: [
                { AttributeName: 'correlationId', KeyType: 'HASH' },
                { AttributeName: 'sequenceNr', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        },
      },
      Unnamed: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        },
      },
    },
  };
}

let ddb: LocalDynamoDb;
let dynamo: DynamoDBClient;

afterEach(async () => {
  dynamo?.destroy();
  await ddb?.close();
});

describe('Function: startLocalDynamoDb()', () => {
  it('serves DynamoDB on 127.0.0.1 for the AWS SDK', async () => {
    // Prepare
    ddb = await startLocalDynamoDb({ port: 0 });
    dynamo = client(ddb.endpoint);
    await createTablesFromTemplate(new TemplateResolver(eventsTemplate(), stack), dynamo);

    // Act
    await dynamo.send(new PutItemCommand({ TableName: 'events-dev-events', Item: { pk: { S: 'e1' } } }));
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: 'events-dev-events', Key: { pk: { S: 'e1' } } }),
    );

    // Assess
    expect(ddb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Item).toEqual({ pk: { S: 'e1' } });
  });

  it('keeps the data in a directory across restarts when one is given', async () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), 'dynalite-'));
    try {
      ddb = await startLocalDynamoDb({ directory });
      dynamo = client(ddb.endpoint);
      await createTablesFromTemplate(new TemplateResolver(eventsTemplate(), stack), dynamo);
      await dynamo.send(new PutItemCommand({ TableName: 'events-dev-events', Item: { pk: { S: 'kept' } } }));
      dynamo.destroy();
      await ddb.close();

      // Act
      ddb = await startLocalDynamoDb({ directory });
      dynamo = client(ddb.endpoint);
      const tables = await createTablesFromTemplate(new TemplateResolver(eventsTemplate(), stack), dynamo);
      const { Item } = await dynamo.send(
        new GetItemCommand({ TableName: 'events-dev-events', Key: { pk: { S: 'kept' } } }),
      );

      // Assess
      expect(tables.map((t) => t.tableName)).toEqual(['events-dev-events', 'events-dev-Unnamed']);
      expect(Item).toEqual({ pk: { S: 'kept' } });
    } finally {
      dynamo.destroy();
      await ddb.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('Function: createTablesFromTemplate()', () => {
  beforeEach(async () => {
    ddb = await startLocalDynamoDb();
    dynamo = client(ddb.endpoint);
  });

  it('creates each table with its key schema, GSIs and billing mode', async () => {
    // Act
    const tables = await createTablesFromTemplate(new TemplateResolver(eventsTemplate(), stack), dynamo);
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: 'events-dev-events' }));
    const unnamed = await dynamo.send(new DescribeTableCommand({ TableName: 'events-dev-Unnamed' }));

    // Assess
    expect(tables).toEqual([
      {
        logicalId: 'EventsTable',
        tableName: 'events-dev-events',
        arn: expect.stringContaining(':table/events-dev-events'),
        timeToLiveAttribute: 'expiresAt',
      },
      {
        logicalId: 'Unnamed',
        tableName: 'events-dev-Unnamed',
        arn: expect.stringContaining(':table/events-dev-Unnamed'),
      },
    ]);
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema])).toEqual([
      [
        'byCorrelationId',
        [
          { AttributeName: 'correlationId', KeyType: 'HASH' },
          { AttributeName: 'sequenceNr', KeyType: 'RANGE' },
        ],
      ],
    ]);
    expect(unnamed.Table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(1);
  });

  it('makes the GSI queryable in sort-key order', async () => {
    // Prepare
    await createTablesFromTemplate(new TemplateResolver(eventsTemplate(), stack), dynamo);
    for (const [pk, sequenceNr] of [
      ['e3', '3'],
      ['e1', '1'],
      ['e2', '2'],
    ] as const) {
      await dynamo.send(
        new PutItemCommand({
          TableName: 'events-dev-events',
          Item: { pk: { S: pk }, correlationId: { S: 'c-1' }, sequenceNr: { N: sequenceNr } },
        }),
      );
    }

    // Act
    const { Items } = await dynamo.send(
      new QueryCommand({
        TableName: 'events-dev-events',
        IndexName: 'byCorrelationId',
        KeyConditionExpression: 'correlationId = :c',
        ExpressionAttributeValues: { ':c': { S: 'c-1' } },
      }),
    );

    // Assess
    expect(Items?.map((i) => i.pk?.S)).toEqual(['e1', 'e2', 'e3']);
  });

  it('leaves an existing table as it is when run again', async () => {
    // Prepare
    const resolver = new TemplateResolver(eventsTemplate(), stack);
    await createTablesFromTemplate(resolver, dynamo);
    await dynamo.send(new PutItemCommand({ TableName: 'events-dev-events', Item: { pk: { S: 'kept' } } }));

    // Act
    await createTablesFromTemplate(resolver, dynamo);
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: 'events-dev-events', Key: { pk: { S: 'kept' } } }),
    );

    // Assess
    expect(Item).toEqual({ pk: { S: 'kept' } });
  });

  it('names the table when DynamoDB refuses the definition', async () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        Broken: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            TableName: 'broken',
            AttributeDefinitions: [],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          },
        },
      },
    };

    // Act
    const create = createTablesFromTemplate(new TemplateResolver(template, stack), dynamo);

    // Assess
    await expect(create).rejects.toThrow('Creating table broken (Broken) failed');
  });
});
