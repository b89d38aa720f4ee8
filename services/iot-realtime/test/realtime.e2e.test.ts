/**
 * End to end through the local IoT gateway, with the service's packaged template (osls package):
 * real mqtt.js clients over WebSocket, the real handlers behind LocalLambda, the topic rules read from
 * the template, LocalSqs + queue triggers for the sensor queue, dynalite for the presence table.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type IotNamespace, presignIotUrl } from '@blueprints/common';
import type { IotGateway } from '@blueprints/local-iot';
import type { LocalLambda } from '@blueprints/local-runtime';
import type { QueueTriggers } from '@blueprints/local-sqs';
import type { LocalDynamoDb } from '@blueprints/local-storage';
import type { TemplateResolver } from '@blueprints/packaging';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { connectAsync, type IClientOptions, type MqttClient, connect as mqttConnect } from 'mqtt';
import { signToken } from './helpers/factories.js';
import { LOCAL_CREDENTIALS, type LocalStack, startLocalStack } from './helpers/localStack.js';

const JWT_SECRET = 'e2e-secret-for-the-local-gateway-0123456789';

let stack: LocalStack;
let resolver: TemplateResolver;
let gateway: IotGateway;
let dynamo: LocalDynamoDb;
let lambda: LocalLambda;
let triggers: QueueTriggers;
let authorizerName: string;
let ns: IotNamespace;
const clients: MqttClient[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ jwtSecret: JWT_SECRET, logLevel: process.env.E2E_LOG_LEVEL ?? 'SILENT' });
  ({ resolver, gateway, dynamo, lambda, triggers } = stack);
  authorizerName = stack.authorizerName;
  ns = stack.namespace;
}, 200_000);

afterAll(async () => {
  for (const client of clients) client.end(true);
  await stack?.close();
});

async function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  const client = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4, ...options });
  clients.push(client);
  return client;
}

/** 'connected' or 'refused' (the gateway refuses the WebSocket upgrade or the CONNECT). */
async function connectOutcome(url: string, options: IClientOptions): Promise<'connected' | 'refused' | 'no answer'> {
  const client = mqttConnect(url, { reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4, ...options });
  clients.push(client);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('no answer'), 5000);
    const settle = (outcome: 'connected' | 'refused') => {
      clearTimeout(timer);
      resolve(outcome);
    };
    client.once('connect', () => settle('connected'));
    client.once('error', () => settle('refused'));
    client.once('close', () => settle('refused'));
  });
}

function nextMessage(client: MqttClient, topic: string, timeoutMs = 8000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No message on ${topic} within ${timeoutMs} ms`)), timeoutMs);
    client.on('message', (t, payload) => {
      if (t !== topic) return;
      clearTimeout(timer);
      const text = payload.toString('utf8');
      try {
        resolve(JSON.parse(text) as Record<string, unknown>);
      } catch {
        reject(new Error(`Not JSON on ${topic}: ${JSON.stringify(text)}`));
      }
    });
  });
}

function closed(client: MqttClient, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    if (client.disconnected || !client.connected) return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function presignedUrl(): Promise<{ url: string; clientIdPrefix: string; expiresAt: string }> {
  const response = (await lambda.invoke('PresignLambdaFunction', {
    rawPath: '/iot/url',
  })) as APIGatewayProxyStructuredResultV2;
  expect(response.statusCode).toBe(200);
  return JSON.parse(String(response.body));
}

const authorizerUrl = () => `${gateway.wsUrl}?x-amz-customauthorizer-name=${authorizerName}`;

const E2E_TIMEOUT = 30_000;

describe('iot-realtime through the local IoT gateway', () => {
  it(
    'delivers a broadcast to an anonymous client connected with a presigned URL from GET /iot/url',
    async () => {
      // Prepare
      const { url, clientIdPrefix } = await presignedUrl();
      const client = await connect(url, { clientId: `${clientIdPrefix}reader1` });
      await client.subscribeAsync(ns.topic('news'), { qos: 1 });
      const received = nextMessage(client, ns.topic('news'));

      // Act
      const result = await lambda.invoke('BroadcastLambdaFunction', {
        topic: 'news',
        message: { headline: 'Hello, readers' },
      });

      // Assess
      expect(result).toEqual({
        topic: 'iot-realtime/dev/news',
        retained: false,
        bytes: '{"headline":"Hello, readers"}'.length,
      });
      expect(await received).toEqual({ headline: 'Hello, readers' });
    },
    E2E_TIMEOUT,
  );

  it(
    'keeps a retained broadcast for clients that subscribe later',
    async () => {
      // Prepare
      await lambda.invoke('BroadcastLambdaFunction', {
        topic: 'news',
        message: { headline: 'Retained' },
        retain: true,
      });
      const { url } = await presignedUrl();
      const client = await connect(url, { clientId: ns.clientId('user-latecomer') });
      const received = nextMessage(client, ns.topic('news'));

      // Act
      await client.subscribeAsync(ns.topic('news'), { qos: 1 });

      // Assess
      expect(await received).toEqual({ headline: 'Retained' });
      await lambda.invoke('BroadcastLambdaFunction', { topic: 'news', message: '', retain: true });
    },
    E2E_TIMEOUT,
  );

  it(
    'records the anonymous client in the presence table through the lifecycle rule',
    async () => {
      // Prepare
      const { url } = await presignedUrl();
      const ddb = new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
      });
      const tableName = resolver.physicalName('PresenceTable');

      // Act
      await connect(url, { clientId: ns.clientId('user-present') });
      await gateway.idle();

      // Assess
      const read = async () =>
        (
          await ddb.send(
            new GetItemCommand({ TableName: tableName, Key: { clientId: { S: ns.clientId('user-present') } } }),
          )
        ).Item;
      let item = await read();
      for (let i = 0; i < 50 && !item; i++) {
        await new Promise((r) => setTimeout(r, 50));
        item = await read();
      }
      expect(item?.status?.S).toBe('connected');
      ddb.destroy();
    },
    E2E_TIMEOUT,
  );

  it(
    'disconnects an anonymous client that subscribes outside its policy',
    async () => {
      // Prepare
      const { url } = await presignedUrl();
      const client = await connect(url, { clientId: ns.clientId('user-nosy') });
      const wasClosed = closed(client);

      // Act
      client.subscribe(ns.topic('updates/user/alice'));

      // Assess
      expect(await wasClosed).toBe(true);
    },
    E2E_TIMEOUT,
  );

  it(
    'refuses an anonymous client id outside user-*',
    async () => {
      // Prepare
      const { url } = await presignedUrl();

      // Act
      const outcome = await connectOutcome(url, { clientId: ns.clientId('alice-1') });

      // Assess
      expect(outcome).toBe('refused');
    },
    E2E_TIMEOUT,
  );

  it(
    'refuses tampered and expired presigned URLs',
    async () => {
      // Prepare
      const { url } = await presignedUrl();
      const tampered = url.replace(
        /X-Amz-Signature=([0-9a-f])/,
        (_m, c: string) => `X-Amz-Signature=${c === 'a' ? 'b' : 'a'}`,
      );
      const widened = url.replace('X-Amz-Expires=900', 'X-Amz-Expires=901');
      const expired = presignIotUrl({
        host: gateway.host,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
        expiresIn: 900,
        now: new Date(Date.now() - 3_600_000),
        scheme: 'ws',
      });
      const unknownKey = presignIotUrl({
        host: gateway.host,
        region: 'us-east-1',
        credentials: { accessKeyId: 'someone', secretAccessKey: 'else' },
        scheme: 'ws',
      });

      // Act
      const outcomes = await Promise.all(
        [tampered, widened, expired, unknownKey].map((u, i) =>
          connectOutcome(u, { clientId: ns.clientId(`user-bad${i}`) }),
        ),
      );

      // Assess
      expect(tampered).not.toBe(url);
      expect(outcomes).toEqual(['refused', 'refused', 'refused', 'refused']);
    },
    E2E_TIMEOUT,
  );

  it(
    'routes a Basic Ingest sensor reading through the rule, the queue and sensorConsumer back to the sender',
    async () => {
      // Prepare
      const token = await signToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET);
      const client = await connect(authorizerUrl(), {
        clientId: ns.clientId('alice-tab1'),
        username: 'alice',
        password: token,
      });
      await client.subscribeAsync(ns.topic('updates/user/alice'), { qos: 1 });
      const reply = nextMessage(client, ns.topic('updates/user/alice'));
      const before = Date.now();
      const ruleName = resolver.physicalName('SensorRule');

      // Act
      await client.publishAsync(
        `$aws/rules/${ruleName}/${ns.topic('updates/sensor/alice')}`,
        JSON.stringify({ temperature: 22.5, humidity: 35, sensor: 'desk' }),
        { qos: 1 },
      );

      // Assess
      const message = await reply;
      expect(message).toMatchObject({
        type: 'sensor-reading',
        subject: 'alice',
        sensor: 'desk',
        temperatureC: 22.5,
        temperatureF: 72.5,
        humidity: 35,
        comfort: 'comfortable',
      });
      expect(Date.parse(String(message.receivedAt))).toBeGreaterThanOrEqual(before - 1000);
      await triggers.idle();
      const invocation = triggers.invocations.find((i) => i.functionName.endsWith('-sensorConsumer'));
      expect(invocation?.outcome).toBe('success');
    },
    E2E_TIMEOUT,
  );

  it(
    'replies on the publishing subject’s topic even when the payload carries another clientId or subject',
    async () => {
      // Prepare
      const now = Math.floor(Date.now() / 1000);
      const alice = await connect(authorizerUrl(), {
        clientId: ns.clientId('alice-victim'),
        username: 'alice',
        password: await signToken({ sub: 'alice', iat: now, exp: now + 600 }, JWT_SECRET),
      });
      const mallory = await connect(authorizerUrl(), {
        clientId: ns.clientId('mallory-attacker'),
        username: 'mallory',
        password: await signToken({ sub: 'mallory', iat: now, exp: now + 600 }, JWT_SECRET),
      });
      await alice.subscribeAsync(ns.topic('updates/user/alice'), { qos: 1 });
      await mallory.subscribeAsync(ns.topic('updates/user/mallory'), { qos: 1 });
      const toAlice: string[] = [];
      alice.on('message', (topic, payload) => toAlice.push(`${topic} ${payload.toString('utf8')}`));
      const toMallory = nextMessage(mallory, ns.topic('updates/user/mallory'));
      const forged = {
        temperature: 30,
        clientId: ns.clientId('alice-victim'),
        subject: 'alice',
        room: 'alice',
        topic: 'alice',
      };

      // Act
      await mallory.publishAsync(
        `$aws/rules/${resolver.physicalName('SensorRule')}/${ns.topic('updates/sensor/mallory')}`,
        JSON.stringify(forged),
        { qos: 1 },
      );

      // Assess
      const reply = await toMallory;
      expect(reply).toMatchObject({ type: 'sensor-reading', subject: 'mallory', temperatureC: 30 });
      expect(JSON.stringify(reply)).not.toContain('alice');
      await triggers.idle();
      await gateway.idle();
      expect(toAlice).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    'disconnects a signed-in client that publishes to another subject’s ingest topic',
    async () => {
      // Prepare
      const token = await signToken({ sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET);
      const client = await connect(authorizerUrl(), {
        clientId: ns.clientId('mallory-1'),
        username: 'mallory',
        password: token,
      });
      const wasClosed = closed(client);

      // Act
      client.publish(
        `$aws/rules/${resolver.physicalName('SensorRule')}/${ns.topic('updates/sensor/alice')}`,
        '{"temperature":99}',
        {
          qos: 1,
        },
      );

      // Assess
      expect(await wasClosed).toBe(true);
    },
    E2E_TIMEOUT,
  );

  it(
    'refuses custom-authorizer connections with an expired or forged JWT, or as another subject’s client id',
    async () => {
      // Prepare
      const now = Math.floor(Date.now() / 1000);
      const expired = await signToken({ sub: 'alice', exp: now - 60 }, JWT_SECRET);
      const forged = await signToken({ sub: 'alice', exp: now + 3600 }, 'not-the-secret-but-long-enough-0123456789');
      const valid = await signToken({ sub: 'alice', exp: now + 3600 }, JWT_SECRET);

      // Act
      const outcomes = [
        await connectOutcome(authorizerUrl(), {
          clientId: ns.clientId('alice-2'),
          username: 'alice',
          password: expired,
        }),
        await connectOutcome(authorizerUrl(), {
          clientId: ns.clientId('alice-3'),
          username: 'alice',
          password: forged,
        }),
        await connectOutcome(authorizerUrl(), { clientId: ns.clientId('bob-1'), username: 'alice', password: valid }),
      ];

      // Assess
      expect(outcomes).toEqual(['refused', 'refused', 'refused']);
    },
    E2E_TIMEOUT,
  );
});
