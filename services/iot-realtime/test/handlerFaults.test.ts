/**
 * Every handler that calls a network service, against loopback endpoints that stall (accept, never
 * answer), answer after 2 s, fail (500), throttle, or drop the connection: each returns or fails
 * cleanly before its function timeout. (The authorizer's Secrets Manager faults are in
 * authorizerSecret.test.ts, on the packaged bundle.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FaultyHttpServer, type HttpFault } from '@blueprints/fault-injection';
import { type IotGateway, startIotGateway } from '@blueprints/local-iot';
import { type LocalDynamoDb, startLocalDynamoDb } from '@blueprints/local-storage';
import type { CloudFormationCustomResourceEvent, SQSEvent } from 'aws-lambda';
import { lifecycleEvent, NAMESPACE, sensorRuleOutput, sqsRecord } from './helpers/factories.js';

const TEN_SECONDS = 10_000;
const THIRTY_SECONDS = 30_000;
let gateway: IotGateway;
let dynamo: LocalDynamoDb;
let dataPlane: FaultyHttpServer;
let dynamoDb: FaultyHttpServer;
let iotControl: FaultyHttpServer;
let cfnResponses: Server;
let cfnResponseUrl: string;
const cfnBodies: Array<{ Status: string; Reason?: string }> = [];
const timings: string[] = [];

type Handlers = {
  broadcast: (event: unknown) => Promise<unknown>;
  sensorConsumer: (event: SQSEvent) => Promise<{ batchItemFailures: unknown[] }>;
  presence: (event: unknown) => Promise<unknown>;
  endpointLookup: (event: CloudFormationCustomResourceEvent) => Promise<{ Status: string }>;
};
let handlers: Handlers;

beforeAll(async () => {
  gateway = await startIotGateway({ region: 'us-east-1', accountId: '000000000000' });
  dynamo = await startLocalDynamoDb();
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const ddb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  await ddb.send(
    new CreateTableCommand({
      TableName: 'presence-faults',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'clientId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'clientId', KeyType: 'HASH' }],
    }),
  );
  ddb.destroy();
  dataPlane = await FaultyHttpServer.start({ plan: () => ({ kind: 'stall' }) });
  dynamoDb = await FaultyHttpServer.start({ plan: () => ({ kind: 'stall' }) });
  iotControl = await FaultyHttpServer.start({ plan: () => ({ kind: 'stall' }) });
  cfnResponses = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      cfnBodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.end();
    });
  });
  await new Promise<void>((resolve) => cfnResponses.listen(0, '127.0.0.1', resolve));
  cfnResponseUrl = `http://127.0.0.1:${(cfnResponses.address() as AddressInfo).port}/cfn/response`;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    IOT_ENDPOINT: gateway.host,
    AWS_ENDPOINT_URL_IOT_DATA_PLANE: dataPlane.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint,
    AWS_ENDPOINT_URL_IOT: iotControl.endpoint,
    BROADCAST_TOPICS: 'news',
    IOT_NAMESPACE: 'iot-realtime/test',
    PRESENCE_TABLE_NAME: 'presence-faults',
  });
  handlers = {
    broadcast: (await import('../src/handlers/broadcast.js')).handler,
    sensorConsumer: (await import('../src/handlers/sensorConsumer.js')).handler as Handlers['sensorConsumer'],
    presence: (await import('../src/handlers/presence.js')).handler,
    endpointLookup: (await import('../src/handlers/endpointLookup.js')).handler as Handlers['endpointLookup'],
  };
}, 60_000);

afterAll(async () => {
  process.stdout.write(`Time to answer per fault:\n  ${timings.join('\n  ')}\n`);
  await Promise.all([dataPlane, dynamoDb, iotControl].map((e) => e?.close()));
  await new Promise<void>((resolve) => cfnResponses?.close(() => resolve()));
  await gateway?.close();
  await dynamo?.close();
});

const faults: Array<[string, () => HttpFault]> = [
  ['stalls', () => ({ kind: 'stall' })],
  ['fails with 500', () => ({ kind: 'fail', status: 500, type: 'InternalFailureException' })],
  ['throttles', () => ({ kind: 'fail', status: 429, type: 'ThrottlingException' })],
  ['drops the connection', () => ({ kind: 'drop' })],
];

/** Runs `act`, returning how it ended and after how long. */
async function timed(label: string, act: () => Promise<unknown>): Promise<{ ms: number; outcome: unknown }> {
  const started = Date.now();
  let outcome: unknown;
  try {
    outcome = await act();
  } catch (error) {
    outcome = error instanceof Error ? error : new Error(String(error));
  }
  const ms = Date.now() - started;
  timings.push(`${label}: ${ms} ms (${outcome instanceof Error ? `threw ${outcome.name}` : 'answered'})`);
  return { ms, outcome };
}

describe('Function: handler() (broadcast) under IoT data plane faults', () => {
  it.each(faults)(
    'fails cleanly before its timeout when the data plane %s',
    async (name, fault) => {
      // Prepare
      dataPlane.inject(fault());

      // Act
      const { ms, outcome } = await timed(`broadcast, data plane ${name}`, () =>
        handlers.broadcast({ topic: 'news', message: { headline: 'fault' } }),
      );

      // Assess
      expect(outcome).toBeInstanceOf(Error);
      expect(ms).toBeLessThan(TEN_SECONDS);
    },
    30_000,
  );

  it('publishes when the data plane answers after 2 s', async () => {
    // Prepare
    dataPlane.inject({ kind: 'slow', delayMs: 2000, target: gateway.dataPlaneEndpoint });

    // Act
    const { ms, outcome } = await timed('broadcast, data plane 2 s per answer', () =>
      handlers.broadcast({ topic: 'news', message: { headline: 'slow' } }),
    );

    // Assess
    expect(outcome).toMatchObject({ topic: NAMESPACE.topic('news') });
    expect(ms).toBeLessThan(TEN_SECONDS);
  }, 30_000);
});

describe('Function: handler() (sensorConsumer) under IoT data plane faults', () => {
  it.each(faults)(
    'reports every record as failed before its timeout when the data plane %s',
    async (name, fault) => {
      // Prepare
      dataPlane.inject(fault());
      const event = {
        Records: [
          sqsRecord(JSON.stringify(sensorRuleOutput({ subject: 'alice' })), 'one'),
          sqsRecord(JSON.stringify(sensorRuleOutput({ subject: 'bob' })), 'two'),
        ],
      };

      // Act
      const { ms, outcome } = await timed(`sensorConsumer, data plane ${name}`, () => handlers.sensorConsumer(event));

      // Assess
      // Records are processed concurrently: failures come in completion order.
      const failures = (outcome as { batchItemFailures: Array<{ itemIdentifier: string }> }).batchItemFailures;
      expect(failures.map((f) => f.itemIdentifier).sort()).toEqual(['one', 'two']);
      expect(ms).toBeLessThan(TEN_SECONDS);
    },
    30_000,
  );
});

describe('Function: handler() (presence) under DynamoDB faults', () => {
  it.each(faults)(
    'throws before its timeout (so the async retry runs) when DynamoDB %s',
    async (name, fault) => {
      // Prepare
      dynamoDb.inject(fault());

      // Act
      const { ms, outcome } = await timed(`presence, DynamoDB ${name}`, () =>
        handlers.presence(lifecycleEvent('connected', Date.now(), NAMESPACE.clientId('user-fault'))),
      );

      // Assess
      expect(outcome).toBeInstanceOf(Error);
      expect(ms).toBeLessThan(TEN_SECONDS);
    },
    30_000,
  );

  it('stores the event when DynamoDB answers after 2 s', async () => {
    // Prepare
    dynamoDb.inject({ kind: 'slow', delayMs: 2000, target: dynamo.endpoint });

    // Act
    const { ms, outcome } = await timed('presence, DynamoDB 2 s per answer', () =>
      handlers.presence(lifecycleEvent('connected', Date.now(), NAMESPACE.clientId('user-slow'))),
    );

    // Assess
    expect(outcome).toEqual({ result: 'applied' });
    expect(ms).toBeLessThan(TEN_SECONDS);
  }, 30_000);
});

describe('Function: handler() (endpointLookup) under IoT control plane faults', () => {
  it('sends CloudFormation a FAILED response before its timeout when DescribeEndpoint stalls', async () => {
    // Prepare
    iotControl.inject({ kind: 'stall' });
    cfnBodies.length = 0;
    const event = {
      RequestType: 'Create',
      ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:endpointLookup',
      ResponseURL: cfnResponseUrl,
      StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/iot-realtime-dev/x',
      RequestId: 'request-1',
      LogicalResourceId: 'IotEndpoint',
      ResourceType: 'Custom::IotEndpoint',
      ResourceProperties: { ServiceToken: 'x', EndpointType: 'iot:Data-ATS' },
    } as CloudFormationCustomResourceEvent;

    // Act
    const { ms, outcome } = await timed('endpointLookup, DescribeEndpoint stalls', () =>
      handlers.endpointLookup(event),
    );

    // Assess
    expect(outcome).toMatchObject({ Status: 'FAILED' });
    expect(cfnBodies).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.any(String) })]);
    expect(ms).toBeLessThan(THIRTY_SECONDS);
  }, 60_000);
});
