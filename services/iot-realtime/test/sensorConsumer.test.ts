import { type IotGatewayMessage, startIotGateway } from '@blueprints/offline';
import { replyToSender } from '../src/sensors/replyToSender.js';
import { parseSensorMessage, processSensorMessage } from '../src/sensors/sensorReading.js';
import { NAMESPACE, NOW, OTHER_NAMESPACE, POLICY_VARIABLE, sensorRuleOutput, sqsRecord } from './helpers/factories.js';

describe('Function: parseSensorMessage()', () => {
  it('returns the reading and the fields the rule added', () => {
    // Prepare
    const body = JSON.stringify(sensorRuleOutput());

    // Act
    const message = parseSensorMessage(body);

    // Assess
    expect(message).toEqual({
      clientId: 'iot-realtime_test_alice-tab1',
      room: 'alice',
      receivedAt: NOW.getTime(),
      temperature: 21.5,
      humidity: 40,
      sensor: 'desk',
    });
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['no clientId', JSON.stringify(sensorRuleOutput({ clientId: undefined })), /clientId/],
    ['no temperature', JSON.stringify(sensorRuleOutput({ temperature: undefined })), /temperature/],
    ['a string temperature', JSON.stringify(sensorRuleOutput({ temperature: '21' })), /temperature/],
    ['an impossible temperature', JSON.stringify(sensorRuleOutput({ temperature: 1e9 })), /temperature/],
    ['humidity above 100', JSON.stringify(sensorRuleOutput({ humidity: 101 })), /humidity/],
    ['no receivedAt', JSON.stringify(sensorRuleOutput({ receivedAt: undefined })), /receivedAt/],
  ])('throws naming the field when the body has %s', (_name, body, expected) => {
    // Prepare
    const parse = () => parseSensorMessage(body);

    // Act & Assess
    expect(parse).toThrow(expected);
  });
});

describe('Function: processSensorMessage()', () => {
  it('addresses the reply to the subject the client id belongs to, in the same deployment', () => {
    // Prepare
    const message = parseSensorMessage(
      JSON.stringify(sensorRuleOutput({ clientId: NAMESPACE.clientId('alice-tab-2'), temperature: 30 })),
    );

    // Act
    const { topic, reading } = processSensorMessage(message, NOW, NAMESPACE);

    // Assess
    expect(topic).toBe('iot-realtime/test/updates/user/alice');
    expect(reading).toEqual({
      type: 'sensor-reading',
      room: 'alice',
      sensor: 'desk',
      temperatureC: 30,
      temperatureF: 86,
      humidity: 40,
      comfort: 'hot',
      receivedAt: NOW.toISOString(),
      processedAt: NOW.toISOString(),
    });
  });

  it.each([
    ...['alice', 'user-1', '#-1', '-alice', 'a/b-1', `${POLICY_VARIABLE}-1`].map((id) => NAMESPACE.clientId(id)),
    'alice-1',
    OTHER_NAMESPACE.clientId('alice-1'),
  ])('refuses client id %s, which names no acceptable subject of this deployment', (clientId) => {
    // Prepare
    const message = parseSensorMessage(JSON.stringify(sensorRuleOutput({ clientId })));

    // Act
    const process = () => processSensorMessage(message, NOW, NAMESPACE);

    // Assess
    expect(process).toThrow(/clientId does not belong to a subject/);
  });
});

describe('Function: replyToSender()', () => {
  it('publishes the processed reading to the sender’s topic', async () => {
    // Prepare
    const published: Array<[string, string]> = [];
    const handle = replyToSender({
      publish: async (t, p) => void published.push([t, p]),
      namespace: NAMESPACE,
      now: () => NOW,
    });

    // Act
    await handle(sqsRecord(JSON.stringify(sensorRuleOutput())));

    // Assess
    expect(published).toHaveLength(1);
    expect(published[0]?.[0]).toBe('iot-realtime/test/updates/user/alice');
    expect(JSON.parse(published[0]?.[1] ?? '')).toMatchObject({
      type: 'sensor-reading',
      temperatureC: 21.5,
      comfort: 'comfortable',
    });
  });

  it('rejects when publishing fails, so only that record is retried', async () => {
    // Prepare
    const handle = replyToSender({
      publish: async () => {
        throw new Error('ThrottlingException');
      },
      namespace: NAMESPACE,
    });

    // Act
    const result = handle(sqsRecord(JSON.stringify(sensorRuleOutput())));

    // Assess
    await expect(result).rejects.toThrow('ThrottlingException');
  });
});

describe('Function: handler() (sensorConsumer)', () => {
  it('publishes valid readings through the data plane and reports only the bad record as failed', async () => {
    // Prepare
    const gateway = await startIotGateway({ region: 'us-east-1', accountId: '000000000000' });
    const published: IotGatewayMessage[] = [];
    gateway.onMessage((message) => published.push(message));
    Object.assign(process.env, {
      IOT_ENDPOINT: gateway.host,
      AWS_ENDPOINT_URL_IOT_DATA_PLANE: gateway.dataPlaneEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      IOT_NAMESPACE: NAMESPACE.topicPrefix,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const { handler } = await import('../src/handlers/sensorConsumer.js');
    const event = {
      Records: [
        sqsRecord(JSON.stringify(sensorRuleOutput({ clientId: NAMESPACE.clientId('alice-tab1') })), 'good'),
        sqsRecord(JSON.stringify(sensorRuleOutput({ clientId: NAMESPACE.clientId('nobody') })), 'bad'),
        sqsRecord('{"temperature":', 'garbled'),
      ],
    };

    // Act
    const response = await handler(event);

    // Assess
    try {
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }, { itemIdentifier: 'garbled' }] });
      expect(published.map((m) => m.topic)).toEqual(['iot-realtime/test/updates/user/alice']);
      expect(JSON.parse(published[0]?.payload.toString('utf8') ?? '')).toMatchObject({ temperatureC: 21.5 });
    } finally {
      await gateway.close();
    }
  });
});
