import { type IotGatewayMessage, startIotGateway } from '@blueprints/local-iot';
import { replyToSender } from '../src/sensors/replyToSender.js';
import { parseSensorMessage, processSensorMessage } from '../src/sensors/sensorReading.js';
import { NAMESPACE, NOW, POLICY_VARIABLE, sensorRuleOutput, sqsRecord } from './helpers/factories.js';

describe('Function: parseSensorMessage()', () => {
  it('returns the reading and the fields the rule added', () => {
    // Prepare
    const body = JSON.stringify(sensorRuleOutput());

    // Act
    const message = parseSensorMessage(body);

    // Assess
    expect(message).toEqual({
      subject: 'alice',
      clientId: 'iot-realtime_test_alice-tab1',
      receivedAt: NOW.getTime(),
      temperature: 21.5,
      humidity: 40,
      sensor: 'desk',
    });
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['no subject', JSON.stringify(sensorRuleOutput({ subject: undefined })), /subject/],
    ['a clientId that is not a string', JSON.stringify(sensorRuleOutput({ clientId: 42 })), /clientId/],
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
  it('addresses the reply to the subject of the topic the reading arrived on', () => {
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
      subject: 'alice',
      sensor: 'desk',
      temperatureC: 30,
      temperatureF: 86,
      humidity: 40,
      comfort: 'hot',
      receivedAt: NOW.toISOString(),
      processedAt: NOW.toISOString(),
    });
  });

  it.each(['user', '#', 'alice-bob', 'a/b', '+', POLICY_VARIABLE])(
    'refuses topic subject %s, which names no acceptable subject',
    (subject) => {
      // Prepare
      const message = parseSensorMessage(JSON.stringify(sensorRuleOutput({ subject })));

      // Act
      const process = () => processSensorMessage(message, NOW, NAMESPACE);

      // Assess
      expect(process).toThrow(/the topic names no acceptable subject/);
    },
  );

  it('ignores the client id for addressing: the topic subject decides', () => {
    // Prepare
    const message = parseSensorMessage(JSON.stringify(sensorRuleOutput({ subject: 'mallory', clientId: 'alice-1' })));

    // Act
    const { topic } = processSensorMessage(message, NOW, NAMESPACE);

    // Assess
    expect(topic).toBe(NAMESPACE.topic('updates/user/mallory'));
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
        sqsRecord(JSON.stringify(sensorRuleOutput({ subject: 'alice' })), 'good'),
        sqsRecord(JSON.stringify(sensorRuleOutput({ subject: 'user' })), 'bad'),
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
