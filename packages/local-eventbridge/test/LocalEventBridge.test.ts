import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { type EventBridgeEvent, LocalEventBridge } from '../src/LocalEventBridge.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const _stack = { stackName: 'shop-dev', region: 'us-east-1', accountId: '000000000000' };

function entry(overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry {
  return {
    Source: 'blueprints.test',
    DetailType: 'order.placed',
    Detail: JSON.stringify({ orderId: 'o-1', brand: 'A' }),
    ...overrides,
  };
}

describe('Class: LocalEventBridge (PutEvents over the JSON 1.1 protocol)', () => {
  let bus: LocalEventBridge;
  let client: EventBridgeClient;

  beforeAll(async () => {
    bus = await LocalEventBridge.start({ region: 'us-east-1', accountId: '000000000000' });
    bus.addEventBus('orders');
    client = new EventBridgeClient({ endpoint: bus.endpoint, region: 'us-east-1', credentials });
  });

  afterAll(async () => {
    client.destroy();
    await bus.close();
  });

  it('listens on 127.0.0.1 on a port chosen at run time', () => {
    // Assess
    expect(bus.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('accepts events from the real EventBridgeClient and emits them as EventBridge events', async () => {
    // Prepare
    const seen: Array<[EventBridgeEvent, string]> = [];
    const stop = bus.onEvent((event, info) => seen.push([event, info.busName]));
    const time = new Date('2026-11-25T01:02:03.456Z');

    // Act
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ EventBusName: 'orders', Time: time, Resources: ['arn:aws:s3:::a-bucket'] }),
          entry({ EventBusName: `arn:aws:events:us-east-1:000000000000:event-bus/orders`, DetailType: 'second' }),
        ],
      }),
    );
    stop();

    // Assess
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries?.map((e) => e.EventId)).toEqual(seen.map(([e]) => e.id));
    expect(seen[0]).toEqual([
      {
        version: '0',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        'detail-type': 'order.placed',
        source: 'blueprints.test',
        account: '000000000000',
        time: '2026-11-25T01:02:03Z',
        region: 'us-east-1',
        resources: ['arn:aws:s3:::a-bucket'],
        detail: { orderId: 'o-1', brand: 'A' },
      },
      'orders',
    ]);
    expect(seen[1]?.[1]).toBe('orders');
  });

  it('serves a plain client configured only through AWS_ENDPOINT_URL_EVENTBRIDGE, as handlers are', async () => {
    // Prepare
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
    });
    const handlerClient = new EventBridgeClient({});
    const seen: string[] = [];
    const stop = bus.onEvent((event) => seen.push(event.id));

    try {
      // Act
      const result = await handlerClient.send(new PutEventsCommand({ Entries: [entry()] }));

      // Assess
      expect(seen).toEqual([result.Entries?.[0]?.EventId]);
    } finally {
      stop();
      handlerClient.destroy();
      process.env = saved;
    }
  });

  it('answers TestEventPattern with the same matcher the rules use', async () => {
    // Prepare
    const event = JSON.stringify({
      id: '1',
      source: 'orders',
      'detail-type': 'x',
      account: '000000000000',
      region: 'us-east-1',
      time: '2026-11-25T01:02:03Z',
      resources: [],
      detail: { total: 250 },
    });

    // Act
    const yes = await client.send(
      new TestEventPatternCommand({ EventPattern: '{"detail":{"total":[{"numeric":[">",100]}]}}', Event: event }),
    );
    const no = await client.send(new TestEventPatternCommand({ EventPattern: '{"source":["billing"]}', Event: event }));
    const invalid = client.send(new TestEventPatternCommand({ EventPattern: '{"source":"orders"}', Event: event }));

    // Assess
    expect([yes.Result, no.Result]).toEqual([true, false]);
    await expect(invalid).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  });

  it('reports per-entry errors like AWS and accepts the valid entries of the same call', async () => {
    // Act
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          entry({ Detail: undefined }),
          entry({ Detail: '[1, 2]' }),
          entry({ Detail: '{"broken": ' }),
          entry({ Source: undefined }),
          entry({ DetailType: undefined }),
          entry({ Source: 'aws.ec2' }),
          entry({ EventBusName: 'nope' }),
        ],
      }),
    );

    // Assess
    expect(result.FailedEntryCount).toBe(7);
    expect(result.Entries?.[0]?.EventId).toBeDefined();
    expect(result.Entries?.slice(1).map((e) => e.ErrorCode)).toEqual([
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'InvalidArgument',
      'NotAuthorizedForSourceException',
      'ResourceNotFoundException',
    ]);
    expect(result.Entries?.[1]?.ErrorMessage).toBe(
      'Parameter Detail is not valid. Reason: Detail is a required argument.',
    );
    expect(result.Entries?.[4]?.ErrorMessage).toMatch(/Source is a required argument/);
  });

  it('rejects more than 10 entries with a ValidationException', async () => {
    // Prepare
    const entries = Array.from({ length: 11 }, () => entry());

    // Act
    const act = client.send(new PutEventsCommand({ Entries: entries }));

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('Function: LocalEventBridge.start() on a busy port', () => {
  it('fails with a clear error naming the port', async () => {
    // Prepare
    const first = await LocalEventBridge.start();
    const port = Number(new URL(first.endpoint).port);

    try {
      // Act
      const second = LocalEventBridge.start({ port });

      // Assess
      await expect(second).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await first.close();
    }
  });
});

describe('Method: LocalEventBridge.putRule()', () => {
  it('rejects a malformed pattern with a message naming the rule and the place', () => {
    // Prepare
    const bus = new LocalEventBridge();

    // Act
    const act = () =>
      bus.putRule({ name: 'broken', busName: 'default', eventPattern: { detail: { persist: true } }, targets: [] }, {});

    // Assess
    expect(act).toThrow(/Rule broken: Event pattern is not valid at detail\.persist/);
  });
});
