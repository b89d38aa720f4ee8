import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { presignIotUrl } from '@blueprints/common';
import type { IoTCustomAuthorizerEvent } from 'aws-lambda';
import type { MqttClient } from 'mqtt';
import { type IotGateway, type IotRuleActivity, startIotGateway } from '../src/index.js';
import {
  ACCOUNT,
  anonymousPolicy,
  authorizerResponse,
  closed,
  collect,
  connect,
  gatewayMessage,
  nextMessage,
  presignCredentials,
  REGION,
  sleep,
  subjectPolicy,
  subscribe,
  temporaryCredentials,
  upgradeResponse,
} from './factories.js';

describe('Function: startIotGateway()', () => {
  let gateway: IotGateway;
  const clients: MqttClient[] = [];
  const authorizerEvents: IoTCustomAuthorizerEvent[] = [];
  const sqsMessages: Array<{ queueUrl: string; body: string }> = [];
  const lambdaEvents: Array<{ functionArn: string; payload: unknown }> = [];
  const queueUrl = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/sensor-readings`;

  const track = (client: MqttClient) => {
    clients.push(client);
    return client;
  };
  const anonymous = async (clientId: string, credentials = presignCredentials) =>
    track(await connect(gateway.presign(credentials), { clientId }));
  const viaAuthorizer = async (clientId: string, password: string, via: 'ws' | 'tcp' = 'ws') =>
    track(
      via === 'ws'
        ? await connect(`${gateway.wsUrl}?x-amz-customauthorizer-name=JwtAuthorizer`, {
            clientId,
            username: 'web',
            password,
          })
        : await connect(gateway.mqttUrl, {
            clientId,
            username: 'device?x-amz-customauthorizer-name=JwtAuthorizer',
            password,
          }),
    );

  beforeAll(async () => {
    gateway = await startIotGateway({
      region: REGION,
      accountId: ACCOUNT,
      credentials: [
        { ...presignCredentials, policies: [anonymousPolicy()], principal: 'AROAPRESIGN:presign' },
        { ...temporaryCredentials, policies: [anonymousPolicy()] },
      ],
      authorizers: {
        // A stand-in for the service's JWT authorizer: "password" is the subject, "deny" refuses.
        JwtAuthorizer: async (event) => {
          authorizerEvents.push(event);
          const sub = Buffer.from(event.protocolData.mqtt?.password ?? '', 'base64').toString('utf8');
          if (sub === 'deny') return { isAuthenticated: false };
          if (sub === 'bad-principal') return authorizerResponse('not valid!');
          if (sub === 'throws') throw new Error('authorizer crashed');
          // Policies as JSON objects, as the AWS documentation's example returns them.
          if (sub.startsWith('objects:')) {
            const subject = sub.slice('objects:'.length);
            return authorizerResponse(subject, { policyDocuments: [subjectPolicy(subject)] });
          }
          return authorizerResponse(sub);
        },
      },
      rules: [
        {
          name: 'sensor_rule',
          sql: "SELECT *, topic(3) AS room, clientid() AS clientId, timestamp() AS receivedAt FROM 'updates/sensor/+'",
          actions: [{ type: 'sqs', queueUrl }],
        },
        {
          name: 'presence_rule',
          sql: "SELECT * FROM '$aws/events/presence/+/+'",
          actions: [{ type: 'lambda', functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:presence` }],
        },
        {
          name: 'echo_rule',
          sql: "SELECT VALUE text FROM 'echo/+' WHERE length > 1",
          actions: [{ type: 'republish', topic: 'news/${topic(2)}' }],
        },
      ],
      actions: {
        sqs: async (url, body) => {
          sqsMessages.push({ queueUrl: url, body });
        },
        lambda: async (functionArn, payload) => {
          lambdaEvents.push({ functionArn, payload });
        },
      },
    });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  });

  afterAll(async () => {
    await gateway.close();
  });

  describe('presigned URLs', () => {
    it('accepts a presigned URL and delivers a server publish on an allowed topic', async () => {
      // Prepare
      const client = await anonymous('user-1');
      await subscribe(client, 'news');
      const received = nextMessage(client, 'news');

      // Act
      await gateway.publish('news', { headline: 'hello' });

      // Assess
      expect(JSON.parse((await received).payload.toString())).toEqual({ headline: 'hello' });
    });

    it('cuts a connection like a network failure and reports CONNECTION_LOST', async () => {
      // Prepare
      const client = await anonymous('user-drop');
      const wasClosed = closed(client);

      // Act
      const dropped = gateway.dropConnection('user-drop');

      // Assess
      await wasClosed;
      await gateway.idle();
      expect(dropped).toBe(true);
      expect(gateway.dropConnection('user-nobody')).toBe(false);
      const event = lambdaEvents.find(
        (e) =>
          (e.payload as { clientId?: string; eventType?: string }).clientId === 'user-drop' &&
          (e.payload as { eventType?: string }).eventType === 'disconnected',
      );
      expect((event?.payload as { disconnectReason?: string } | undefined)?.disconnectReason).toBe('CONNECTION_LOST');
    });

    it('accepts temporary credentials whose token follows the signature', async () => {
      // Act
      const client = await anonymous('user-2', temporaryCredentials);

      // Assess
      expect(client.connected).toBe(true);
    });

    it.each([
      ['a tampered URL', () => gateway.presign(presignCredentials).replace('X-Amz-Expires=3600', 'X-Amz-Expires=7200')],
      [
        'an expired URL',
        () => gateway.presign(presignCredentials, { expiresIn: 60, now: new Date(Date.now() - 120_000) }),
      ],
      ['an unknown key', () => gateway.presign({ accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' })],
      ['a wrong secret', () => gateway.presign({ ...presignCredentials, secretAccessKey: 'guess' })],
      [
        'a token signed into the query',
        () => gateway.presign(temporaryCredentials).replace(/&X-Amz-Security-Token=[^&]*/, ''),
      ],
      ['no credentials at all', () => gateway.wsUrl],
      [
        'another region',
        () => presignIotUrl({ host: gateway.host, region: 'eu-west-1', credentials: presignCredentials, scheme: 'ws' }),
      ],
    ])('refuses %s with 401 on the upgrade', async (_, url) => {
      // Prepare
      const refused = url();

      // Act
      const [refusal, response] = await Promise.all([
        connect(refused, { clientId: 'user-3' }).then(track, (error: Error) => error),
        upgradeResponse(refused),
      ]);

      // Assess
      expect(refusal).toEqual(new Error('closed before CONNACK'));
      expect(response.status).toBe(401);
    });

    it.each([
      ['an expired URL', { expiresIn: 60, now: new Date(Date.now() - 120_000) }, /\(expired\)/],
      ['a URL dated in the future', { now: new Date(Date.now() + 600_000) }, /\(future-date\)/],
    ])('says why it refuses %s', async (_, options, reason) => {
      // Act
      const response = await upgradeResponse(gateway.presign(presignCredentials, options));

      // Assess
      expect(response).toMatchObject({ status: 401, body: expect.stringMatching(reason) });
    });

    it('accepts the upgrade of a valid presigned URL', async () => {
      // Act
      const response = await upgradeResponse(gateway.presign(presignCredentials));

      // Assess
      expect(response.status).toBe(101);
    });

    it('refuses CONNECT for a client id outside the policy with return code 5', async () => {
      // Act
      const attempt = connect(gateway.presign(presignCredentials), { clientId: 'admin-1' });

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 5 });
    });

    it('disconnects a client that subscribes outside its policy', async () => {
      // Prepare
      const client = await anonymous('user-4');
      const disconnected = gatewayMessage(gateway, (m) => m.topic === '$aws/events/presence/disconnected/user-4');

      // Act
      client.subscribe('secrets/#');

      // Assess
      await closed(client);
      expect(JSON.parse((await disconnected).payload.toString())).toMatchObject({ disconnectReason: 'AUTH_ERROR' });
    });

    it('disconnects a client that publishes outside its policy', async () => {
      // Prepare
      const client = await anonymous('user-5');

      // Act
      client.publish('news', 'fake news');

      // Assess
      await closed(client);
      expect(client.connected).toBe(false);
    });

    it('delivers only the messages the client may receive', async () => {
      // Prepare
      const client = await anonymous('user-6');
      await subscribe(client, 'room/#');
      const seen = collect(client);
      const publicMessage = nextMessage(client, 'room/public');

      // Act
      await gateway.publish('room/secret', 'classified');
      await gateway.publish('room/public', 'hello');
      await publicMessage;
      await sleep(50);

      // Assess
      expect(seen).toEqual(['room/public hello']);
      expect(client.connected).toBe(true);
    });

    it('refuses subscriptions to Basic Ingest topics without delivering them', async () => {
      // Prepare
      const client = await anonymous('user-7');

      // Act
      const granted = await new Promise<number[]>((resolve) => {
        client.on('packetreceive', (packet) => {
          if (packet.cmd === 'suback') resolve(packet.granted as number[]);
        });
        client.subscribe('$aws/rules/sensor_rule/#', { qos: 1 }, () => undefined);
      });

      // Assess
      expect(granted).toEqual([128]);
      expect(client.connected).toBe(true);
    });

    it('disconnects the older client when the same client id connects again', async () => {
      // Prepare
      const first = await anonymous('user-8');
      const reason = gatewayMessage(gateway, (m) => m.topic === '$aws/events/presence/disconnected/user-8');

      // Act
      const second = await anonymous('user-8');

      // Assess
      await closed(first);
      expect(second.connected).toBe(true);
      expect(JSON.parse((await reason).payload.toString())).toMatchObject({
        clientId: 'user-8',
        disconnectReason: 'DUPLICATE_CLIENTID',
        clientInitiatedDisconnect: false,
      });
    });
  });

  describe('retained messages and the data plane', () => {
    it('delivers a retained message to a later subscriber', async () => {
      // Prepare
      await gateway.publish('news', 'retained headline', { retain: true, qos: 1 });
      const client = await anonymous('user-9');
      const received = nextMessage(client, 'news');

      // Act
      await subscribe(client, 'news');

      // Assess
      const message = await received;
      expect(message.payload.toString()).toBe('retained headline');
      expect(message.retain).toBe(true);
      await gateway.publish('news', '', { retain: true });
    });

    it('disconnects a client that publishes a retained message without iot:RetainPublish', async () => {
      // Prepare
      const client = await anonymous('user-10');

      // Act
      client.publish('room/public', 'sticky', { retain: true });

      // Assess
      await closed(client);
    });

    it('publishes through the IoT data plane API of the AWS SDK', async () => {
      // Prepare
      const client = await anonymous('user-11');
      await subscribe(client, 'news');
      const received = nextMessage(client, 'news');
      const dataPlane = new IoTDataPlaneClient({
        endpoint: gateway.dataPlaneEndpoint,
        region: REGION,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });

      // Act
      await dataPlane.send(new PublishCommand({ topic: 'news', qos: 1, payload: Buffer.from('{"via":"data plane"}') }));

      // Assess
      expect(JSON.parse((await received).payload.toString())).toEqual({ via: 'data plane' });
    });

    it('refuses data-plane publishes to reserved topics and oversized payloads', async () => {
      // Prepare
      const dataPlane = new IoTDataPlaneClient({
        endpoint: gateway.dataPlaneEndpoint,
        region: REGION,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });

      // Act
      const reserved = dataPlane.send(
        new PublishCommand({ topic: '$aws/events/presence/connected/x', payload: Buffer.from('{}') }),
      );
      const tooLarge = dataPlane.send(new PublishCommand({ topic: 'news', payload: Buffer.alloc(128 * 1024 + 1) }));

      // Assess
      await expect(reserved).rejects.toMatchObject({ name: 'ForbiddenException' });
      await expect(tooLarge).rejects.toMatchObject({ name: 'RequestEntityTooLargeException' });
    });
  });

  describe('custom authorizers', () => {
    it('connects over WebSocket with the authorizer policy and passes the IoT authorizer event', async () => {
      // Prepare
      authorizerEvents.length = 0;

      // Act
      const client = await viaAuthorizer('alice_web', 'alice');
      await subscribe(client, 'updates/user/alice');
      const received = nextMessage(client, 'updates/user/alice');
      await gateway.publish('updates/user/alice', 'for alice');

      // Assess
      expect((await received).payload.toString()).toBe('for alice');
      const [event] = authorizerEvents;
      expect(event).toMatchObject({
        signatureVerified: false,
        protocols: ['tls', 'http', 'mqtt'],
        protocolData: {
          mqtt: { username: 'web', password: Buffer.from('alice').toString('base64'), clientId: 'alice_web' },
          http: { queryString: '?x-amz-customauthorizer-name=JwtAuthorizer' },
        },
      });
      expect(event?.protocolData.http?.headers.host).toBe(gateway.host);
      expect(event?.connectionMetadata.id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('connects over plain MQTT with the authorizer named in the username', async () => {
      // Prepare
      authorizerEvents.length = 0;

      // Act
      const client = await viaAuthorizer('bob_device', 'bob', 'tcp');

      // Assess
      expect(client.connected).toBe(true);
      expect(authorizerEvents[0]?.protocols).toEqual(['tls', 'mqtt']);
      expect(authorizerEvents[0]?.protocolData.mqtt?.username).toBe('device?x-amz-customauthorizer-name=JwtAuthorizer');
    });

    it.each([
      ['denies', 'deny'],
      ['returns an invalid principalId', 'bad-principal'],
      ['throws', 'throws'],
    ])('refuses the connection when the authorizer %s', async (_, password) => {
      // Act
      const attempt = viaAuthorizer('carol_1', password);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 5 });
    });

    it('accepts policy documents returned as objects and enforces them', async () => {
      // Prepare
      const dave = await viaAuthorizer('dave_1', 'objects:dave');

      // Act
      const granted = await dave.subscribeAsync('updates/user/dave', { qos: 1 });
      dave.subscribe('updates/user/bob');

      // Assess
      expect(granted.map((g) => g.qos)).toEqual([1]);
      await closed(dave);
    });

    it('refuses a client id outside the granted policy', async () => {
      // Act
      const attempt = viaAuthorizer('mallory_1', 'alice');

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 5 });
    });

    it('refuses an unknown authorizer name on the upgrade', async () => {
      // Act
      const response = await upgradeResponse(`${gateway.wsUrl}?x-amz-customauthorizer-name=Nope`);

      // Assess
      expect(response).toMatchObject({ status: 401, body: expect.stringContaining('unknown authorizer Nope') });
    });

    it('does not let one subject read another subject topic', async () => {
      // Prepare
      const alice = await viaAuthorizer('alice_1', 'alice');

      // Act
      alice.subscribe('updates/user/bob');

      // Assess
      await closed(alice);
    });
  });

  describe('topic rules', () => {
    const activity = (rule: string) =>
      new Promise<IotRuleActivity>((resolve) => {
        const stop = gateway.onRuleActivity((a) => {
          if (a.rule === rule) {
            stop();
            resolve(a);
          }
        });
      });

    it('runs only the named rule for Basic Ingest and sends its SELECT output to SQS', async () => {
      // Prepare
      const client = await viaAuthorizer('alice_sensor', 'alice');
      const listener = await anonymous('user-12');
      await subscribe(listener, 'room/#');
      const seen = collect(listener);
      const ran = activity('sensor_rule');
      const before = Date.now();

      // Act
      await client.publishAsync('$aws/rules/sensor_rule/updates/sensor/kitchen', JSON.stringify({ celsius: 21.5 }), {
        qos: 1,
      });
      await ran;
      await gateway.idle();

      // Assess
      const message = sqsMessages.at(-1);
      expect(message?.queueUrl).toBe(queueUrl);
      const body = JSON.parse(message?.body ?? '{}');
      expect(body).toMatchObject({ celsius: 21.5, room: 'kitchen', clientId: 'alice_sensor' });
      expect(body.receivedAt).toBeGreaterThanOrEqual(before);
      expect(gateway.ruleActivity.filter((a) => a.topic.includes('$aws/rules'))).toEqual([]);
      expect(seen).toEqual([]);
    });

    it('runs a rule on a matching topic and skips it when FROM does not match', async () => {
      // Prepare
      const count = sqsMessages.length;
      const ran = activity('sensor_rule');

      // Act
      await gateway.publish('updates/sensor/hall/extra', { celsius: 1 });
      await gateway.publish('updates/sensor/hall', { celsius: 2 });
      await ran;
      await gateway.idle();

      // Assess
      expect(sqsMessages.slice(count).map((m) => JSON.parse(m.body).celsius)).toEqual([2]);
    });

    it('republishes with a substitution template and honours WHERE', async () => {
      // Prepare
      const client = await anonymous('user-13');
      await subscribe(client, 'news');
      const received = nextMessage(client, 'news');

      const republished = gatewayMessage(gateway, (m) => m.topic.startsWith('news/'));

      // Act
      await gateway.publish('echo/x', { text: 'short', length: 1 });
      await gateway.publish('echo/1', { text: 'long enough', length: 5 });

      // Assess
      const message = await republished;
      expect(message.topic).toBe('news/1');
      expect(JSON.parse(message.payload.toString())).toBe('long enough');
      await expect(Promise.race([received, sleep(100).then(() => 'nothing')])).resolves.toBe('nothing');
    });

    it('publishes lifecycle events that run matching rules', async () => {
      // Prepare
      const connected = gatewayMessage(gateway, (m) => m.topic === '$aws/events/presence/connected/user-14');
      const disconnected = gatewayMessage(gateway, (m) => m.topic === '$aws/events/presence/disconnected/user-14');

      // Act
      const client = await anonymous('user-14');
      const connectEvent = JSON.parse((await connected).payload.toString());
      await client.endAsync();
      const disconnectEvent = JSON.parse((await disconnected).payload.toString());
      await gateway.idle();

      // Assess
      expect(connectEvent).toEqual({
        clientId: 'user-14',
        timestamp: expect.any(Number),
        eventType: 'connected',
        sessionIdentifier: expect.stringMatching(/^[0-9a-f-]{36}$/),
        principalIdentifier: 'AROAPRESIGN:presign',
        ipAddress: '127.0.0.1',
        versionNumber: 1,
      });
      expect(disconnectEvent).toMatchObject({
        clientId: 'user-14',
        eventType: 'disconnected',
        sessionIdentifier: connectEvent.sessionIdentifier,
        clientInitiatedDisconnect: true,
        disconnectReason: 'CLIENT_INITIATED_DISCONNECT',
        versionNumber: 1,
      });
      const presence = lambdaEvents.filter((e) => (e.payload as { clientId?: string }).clientId === 'user-14');
      expect(presence.map((e) => (e.payload as { eventType: string }).eventType)).toEqual([
        'connected',
        'disconnected',
      ]);
    });
  });

  describe('IoT limits', () => {
    it('disconnects a client publishing to a topic with more than 7 slashes', async () => {
      // Prepare
      const client = await anonymous('user-15');

      // Act
      client.publish('room/public/1/2/3/4/5/6/7', 'deep');

      // Assess
      await closed(client);
    });

    it('disconnects a client publishing more than 128 KB', async () => {
      // Prepare
      const client = await anonymous('user-16');

      // Act
      client.publish('room/public', Buffer.alloc(128 * 1024 + 1));

      // Assess
      await closed(client);
    });

    it('refuses a client id longer than 128 bytes with return code 2', async () => {
      // Act
      const attempt = connect(gateway.presign(presignCredentials), { clientId: `user-${'x'.repeat(124)}` });

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 2 });
    });

    it('accepts Basic Ingest topics whose prefix takes the slash budget', async () => {
      // Prepare
      const client = await viaAuthorizer('alice_deep', 'alice');
      const ran = new Promise<void>((resolve) => {
        const stop = gateway.onRuleActivity(() => {
          stop();
          resolve();
        });
      });

      // Act
      await client.publishAsync('$aws/rules/sensor_rule/updates/sensor/attic', '{"celsius":30}', { qos: 1 });
      await ran;

      // Assess
      expect(client.connected).toBe(true);
    });
  });
});
