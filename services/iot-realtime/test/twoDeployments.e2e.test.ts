/**
 * Two deployments of iot-realtime (stages dev and qa) on one local account: one IoT broker, as in
 * AWS, with both templates' rules, authorizers and presign roles. A client of one must never receive
 * a message, a presence event or a reply of the other, nor subscribe, publish or connect across.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { connectAsync, type IClientOptions, type MqttClient, connect as mqttConnect } from 'mqtt';
import { signToken } from './helpers/factories.js';
import { LOCAL_CREDENTIALS, type LocalDeployment, type LocalStack, startLocalStack } from './helpers/localStack.js';

const JWT_SECRET = 'two-deployments-secret-for-the-local-gateway-0123456789';
const TIMEOUT = 60_000;

let stack: LocalStack;
let dev: LocalDeployment;
let qa: LocalDeployment;
const clients: MqttClient[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ jwtSecret: JWT_SECRET, stages: [undefined, 'qa'] });
  [dev, qa] = stack.deployments as [LocalDeployment, LocalDeployment];
}, 300_000);

afterAll(async () => {
  for (const client of clients) client.end(true);
  await stack?.close();
});

const fn = (deployment: LocalDeployment, logicalId: string) => deployment.resolver.physicalName(logicalId);

async function presignedUrl(deployment: LocalDeployment): Promise<{ url: string; clientIdPrefix: string }> {
  const response = (await deployment.lambda.invoke(fn(deployment, 'PresignLambdaFunction'), {
    rawPath: '/iot/url',
  })) as APIGatewayProxyStructuredResultV2;
  return JSON.parse(String(response.body));
}

async function anonymous(deployment: LocalDeployment, name: string): Promise<MqttClient> {
  const { url } = await presignedUrl(deployment);
  const client = await connectAsync(url, {
    clientId: deployment.namespace.clientId(`user-${name}`),
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  clients.push(client);
  return client;
}

async function signedIn(deployment: LocalDeployment, sub: string, suffix: string): Promise<MqttClient> {
  const token = await signToken({ sub, exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET);
  const client = await connectAsync(`${stack.gateway.wsUrl}?x-amz-customauthorizer-name=${deployment.authorizerName}`, {
    clientId: deployment.namespace.clientId(`${sub}-${suffix}`),
    username: sub,
    password: token,
    reconnectPeriod: 0,
  });
  clients.push(client);
  return client;
}

/** Every message a client receives, in order. */
function inbox(client: MqttClient): Array<{ topic: string; text: string }> {
  const received: Array<{ topic: string; text: string }> = [];
  client.on('message', (topic, payload) => received.push({ topic, text: payload.toString('utf8') }));
  return received;
}

/** Resolves when a message containing `marker` has arrived. */
function arrival(client: MqttClient, marker: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`"${marker}" did not arrive within ${timeoutMs} ms`)), timeoutMs);
    const listener = (_topic: string, payload: Buffer) => {
      if (!payload.toString('utf8').includes(marker)) return;
      clearTimeout(timer);
      client.off('message', listener);
      resolve();
    };
    client.on('message', listener);
  });
}

function closed(client: MqttClient, timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function connectOutcome(url: string, options: IClientOptions): Promise<'connected' | 'refused'> {
  const client = mqttConnect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  clients.push(client);
  return new Promise((resolve) => {
    client.once('connect', () => resolve('connected'));
    client.once('error', () => resolve('refused'));
    client.once('close', () => resolve('refused'));
  });
}

describe('Two deployments of iot-realtime on one account', () => {
  it(
    'delivers each stage’s broadcast only to that stage’s clients',
    async () => {
      // Prepare
      const devReader = await anonymous(dev, 'reader');
      const qaReader = await anonymous(qa, 'reader');
      await devReader.subscribeAsync(dev.namespace.topic('news'), { qos: 1 });
      await qaReader.subscribeAsync(qa.namespace.topic('news'), { qos: 1 });
      const devInbox = inbox(devReader);
      const qaInbox = inbox(qaReader);

      // Act: each stage broadcasts; a last qa broadcast marks the end of what qa could have received
      const devArrived = arrival(devReader, 'dev-only');
      await dev.lambda.invoke(fn(dev, 'BroadcastLambdaFunction'), { topic: 'news', message: { text: 'dev-only' } });
      await devArrived;
      const qaArrived = arrival(qaReader, 'qa-end');
      await qa.lambda.invoke(fn(qa, 'BroadcastLambdaFunction'), { topic: 'news', message: { text: 'qa-end' } });
      await qaArrived;

      // Assess
      expect(devInbox).toEqual([{ topic: 'iot-realtime/dev/news', text: '{"text":"dev-only"}' }]);
      expect(qaInbox).toEqual([{ topic: 'iot-realtime/qa/news', text: '{"text":"qa-end"}' }]);
    },
    TIMEOUT,
  );

  it(
    'records each client’s presence only in its own stage’s table',
    async () => {
      // Prepare
      const ddb = new DynamoDBClient({
        endpoint: stack.dynamo.endpoint,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
      });
      const presence = async (deployment: LocalDeployment, clientId: string) =>
        (
          await ddb.send(
            new GetItemCommand({ TableName: fn(deployment, 'PresenceTable'), Key: { clientId: { S: clientId } } }),
          )
        ).Item?.status?.S;

      // Act
      await anonymous(dev, 'present');
      await anonymous(qa, 'present');
      await stack.gateway.idle();

      // Assess
      try {
        expect(await presence(dev, dev.namespace.clientId('user-present'))).toBe('connected');
        expect(await presence(qa, qa.namespace.clientId('user-present'))).toBe('connected');
        expect(await presence(dev, qa.namespace.clientId('user-present'))).toBeUndefined();
        expect(await presence(qa, dev.namespace.clientId('user-present'))).toBeUndefined();
        // Each stage's presence rule ran only for its own clients (its WHERE dropped the others).
        for (const deployment of [dev, qa]) {
          const seen = stack.gateway.ruleActivity
            .filter((a) => a.rule === `iot_realtime_${deployment.stage}_presence`)
            .map((a) => String((a.output as { clientId?: unknown }).clientId));
          expect(seen.length).toBeGreaterThan(0);
          expect(seen.filter((id) => !deployment.namespace.ownsClientId(id))).toEqual([]);
        }
      } finally {
        ddb.destroy();
      }
    },
    TIMEOUT,
  );

  it(
    'replies to a reading only on the sender’s stage, never to the same subject on the other stage',
    async () => {
      // Prepare
      const aliceDev = await signedIn(dev, 'alice', 'tab1');
      const aliceQa = await signedIn(qa, 'alice', 'tab1');
      await aliceDev.subscribeAsync(dev.namespace.topic('updates/user/alice'), { qos: 1 });
      await aliceQa.subscribeAsync(qa.namespace.topic('updates/user/alice'), { qos: 1 });
      const qaInbox = inbox(aliceQa);
      const reply = arrival(aliceDev, 'sensor-reading');

      // Act
      await aliceDev.publishAsync(
        `$aws/rules/${fn(dev, 'SensorRule')}/${dev.namespace.topic('updates/sensor/alice')}`,
        JSON.stringify({ temperature: 21, sensor: 'dev-desk' }),
        { qos: 1 },
      );
      await reply;
      await dev.triggers.idle();
      const qaEnd = arrival(aliceQa, 'qa-end');
      await stack.gateway.publish(qa.namespace.topic('updates/user/alice'), { marker: 'qa-end' });
      await qaEnd;

      // Assess
      expect(qaInbox.map((m) => m.text)).toEqual(['{"marker":"qa-end"}']);
      expect(qa.triggers.invocations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'disconnects a client that subscribes to the other stage’s topics',
    async () => {
      // Prepare
      const reader = await anonymous(dev, 'nosy');
      const alice = await signedIn(dev, 'alice', 'tab2');
      const readerClosed = closed(reader);
      const aliceClosed = closed(alice);

      // Act
      reader.subscribe(qa.namespace.topic('news'));
      alice.subscribe(qa.namespace.topic('updates/user/alice'));

      // Assess
      expect(await readerClosed).toBe(true);
      expect(await aliceClosed).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'disconnects a client that publishes into the other stage’s rule',
    async () => {
      // Prepare
      const alice = await signedIn(dev, 'alice', 'tab3');
      const aliceClosed = closed(alice);

      // Act
      alice.publish(
        `$aws/rules/${fn(qa, 'SensorRule')}/${qa.namespace.topic('updates/sensor/alice')}`,
        '{"temperature":20}',
        { qos: 1 },
      );

      // Assess
      expect(await aliceClosed).toBe(true);
      await stack.gateway.idle();
      expect(qa.triggers.invocations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'refuses to connect with one stage’s URL or authorizer under the other stage’s client id',
    async () => {
      // Prepare
      const { url } = await presignedUrl(dev);
      const token = await signToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET);
      const devAuthorizer = `${stack.gateway.wsUrl}?x-amz-customauthorizer-name=${dev.authorizerName}`;

      // Act
      const outcomes = [
        await connectOutcome(url, { clientId: qa.namespace.clientId('user-1') }),
        await connectOutcome(devAuthorizer, {
          clientId: qa.namespace.clientId('alice-1'),
          username: 'alice',
          password: token,
        }),
        await connectOutcome(url, { clientId: dev.namespace.clientId('user-1') }),
      ];

      // Assess
      expect(outcomes).toEqual(['refused', 'refused', 'connected']);
    },
    TIMEOUT,
  );
});
