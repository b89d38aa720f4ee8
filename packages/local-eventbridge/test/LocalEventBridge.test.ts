import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { functionsFromTemplate, LocalLambda } from '@blueprints/local-runtime';
import { LocalSqs } from '@blueprints/local-sqs';
import { createBucketsFromTemplate, type LocalS3, startLocalS3 } from '@blueprints/local-storage';
import { TemplateResolver } from '@blueprints/packaging';
import { type EventBridgeEvent, LocalEventBridge } from '../src/LocalEventBridge.js';
import { LocalFirehose } from '../src/LocalFirehose.js';
import { eventLogTemplate } from './factories.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const stack = { stackName: 'shop-dev', region: 'us-east-1', accountId: '000000000000' };

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

describe('Method: LocalEventBridge.loadTemplate()', () => {
  let bus: LocalEventBridge;
  let sqs: LocalSqs;
  let s3: LocalS3;
  let s3Client: S3Client;
  let firehose: LocalFirehose;
  let invocations: unknown[];
  let resolver: TemplateResolver;

  beforeEach(async () => {
    resolver = new TemplateResolver(eventLogTemplate(), stack);
    bus = await LocalEventBridge.start({ region: 'us-east-1', accountId: '000000000000' });
    sqs = await LocalSqs.start({ region: 'us-east-1', accountId: '000000000000' });
    await sqs.createQueuesFromTemplate(resolver);
    s3 = await startLocalS3();
    s3Client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials });
    await createBucketsFromTemplate(resolver, s3Client);
    firehose = LocalFirehose.fromTemplate(resolver, { s3: s3Client });
    invocations = [];
    const lambda = new LocalLambda(functionsFromTemplate(resolver), async () => async (event: unknown) => {
      invocations.push(event);
      if ((event as EventBridgeEvent).detail?.fail === true) throw new Error('persist failed');
      return { stored: true };
    });
    bus.loadTemplate(resolver, { lambda, sqs, firehose });
  });

  afterEach(async () => {
    await bus.close();
    await sqs.close();
    await firehose.close();
    s3Client.destroy();
    await s3.close();
  });

  it('registers the buses and pattern rules of the template and skips schedule rules', () => {
    // Prepare
    const fresh = new LocalEventBridge();

    // Act
    const loaded = fresh.loadTemplate(resolver, {});

    // Assess
    expect(loaded.buses).toEqual(['shop-dev-events']);
    expect(loaded.rules.map((r) => [r.name, r.busName, r.state])).toEqual([
      ['shop-dev-ArchiveRule', 'shop-dev-events', 'ENABLED'],
      ['shop-dev-PersistRule', 'shop-dev-events', 'ENABLED'],
      ['shop-dev-FairQueueRule', 'shop-dev-events', 'ENABLED'],
      ['shop-dev-DisabledRule', 'shop-dev-events', 'DISABLED'],
    ]);
    expect(loaded.rules[0]?.arn).toBe(
      'arn:aws:events:us-east-1:000000000000:rule/shop-dev-events/shop-dev-ArchiveRule',
    );
    expect(loaded.skipped).toEqual([{ logicalId: 'NightlyRule', reason: expect.stringMatching(/schedule/) }]);
  });

  it('delivers asynchronously: PutEvents returns before any target runs', async () => {
    // Act
    bus.putEvents([entry({ EventBusName: 'shop-dev-events', Detail: JSON.stringify({ persist: true }) })]);
    const before = invocations.length;
    await bus.idle();

    // Assess
    expect(before).toBe(0);
    expect(invocations).toHaveLength(1);
  });

  it('sends fair-queue events to SQS with the MessageGroupId read from $.detail.brand and the InputPath body', async () => {
    // Prepare
    const client = new EventBridgeClient({ endpoint: bus.endpoint, region: 'us-east-1', credentials });

    // Act
    await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ EventBusName: 'shop-dev-events', Detail: JSON.stringify({ brand: 'A', n: 1 }) }),
          entry({ EventBusName: 'shop-dev-events', Detail: JSON.stringify({ brand: 'B', n: 2 }) }),
          entry({
            EventBusName: 'shop-dev-events',
            DetailType: 'order.cancelled',
            Detail: JSON.stringify({ brand: 'C' }),
          }),
        ],
      }),
    );
    await bus.idle();
    client.destroy();

    // Assess
    const messages = sqs.messages('shop-dev-fair');
    expect(messages.map((m) => [m.messageGroupId, JSON.parse(m.body)]).sort()).toEqual([
      ['A', { brand: 'A', n: 1 }],
      ['B', { brand: 'B', n: 2 }],
    ]);
  });

  it('invokes the Lambda target with the full event only for events matching detail.persist = [true]', async () => {
    // Act
    bus.putEvents([
      entry({ EventBusName: 'shop-dev-events', Detail: JSON.stringify({ persist: true, id: 1 }) }),
      entry({ EventBusName: 'shop-dev-events', Detail: JSON.stringify({ persist: false, id: 2 }) }),
    ]);
    await bus.idle();

    // Assess
    expect(invocations).toEqual([
      expect.objectContaining({ source: 'blueprints.test', detail: { persist: true, id: 1 } }),
    ]);
    const toLambda = bus.deliveries.filter((d) => d.targetId === 'persist');
    expect(toLambda).toEqual([
      expect.objectContaining({ ok: true, result: { stored: true }, rule: 'shop-dev-PersistRule' }),
    ]);
  });

  it('records a failing target without crashing, and keeps serving', async () => {
    // Prepare
    const failures: string[] = [];
    bus.onDelivery((d) => {
      if (!d.ok) failures.push(d.error ?? '');
    });

    // Act
    bus.putEvents([
      entry({
        EventBusName: 'shop-dev-events',
        DetailType: 'audit',
        Detail: JSON.stringify({ persist: true, fail: true }),
      }),
    ]);
    await bus.idle();
    const next = bus.putEvents([
      entry({ EventBusName: 'shop-dev-events', DetailType: 'audit', Detail: JSON.stringify({ persist: true }) }),
    ]);
    await bus.idle();

    // Assess
    expect(failures).toEqual(['Error: persist failed']);
    expect(bus.deliveries.find((d) => d.targetId === 'persist')).toMatchObject({ ok: false, functionError: true });
    expect(sqs.messages('shop-dev-undelivered')).toHaveLength(0);
    expect(next.FailedEntryCount).toBe(0);
    expect(invocations).toHaveLength(2);
  });

  it('sends an event it cannot deliver to the dead-letter queue, with the EventBridge error attributes', async () => {
    // Act
    const result = bus.putEvents([
      entry({ EventBusName: 'shop-dev-events', Detail: JSON.stringify({ noBrand: true }) }),
    ]);
    await bus.idle();

    // Assess
    const delivery = bus.deliveries.find((d) => d.targetId === 'fair-queue');
    expect(delivery).toMatchObject({
      ok: false,
      deadLettered: true,
      error: expect.stringMatching(/MessageGroupId path \$\.detail\.brand/),
    });
    expect(sqs.messages('shop-dev-fair')).toHaveLength(0);
    const [dead] = sqs.messages('shop-dev-undelivered');
    expect(JSON.parse(dead?.body ?? '{}')).toMatchObject({ id: result.Entries[0]?.EventId, detail: { noBrand: true } });
    expect(dead?.messageAttributes).toMatchObject({
      RULE_ARN: { StringValue: 'arn:aws:events:us-east-1:000000000000:rule/shop-dev-events/shop-dev-FairQueueRule' },
      TARGET_ARN: { StringValue: 'arn:aws:sqs:us-east-1:000000000000:shop-dev-fair' },
    });
  });

  it('archives persisted events through Firehose to S3 as newline-delimited JSON', async () => {
    // Prepare
    const client = new EventBridgeClient({ endpoint: bus.endpoint, region: 'us-east-1', credentials });
    const details = [
      { persist: true, sequenceNr: 1, text: 'line "one"\nwith a newline' },
      { persist: false, sequenceNr: 2 },
      { persist: true, sequenceNr: 3 },
    ];

    // Act
    await client.send(
      new PutEventsCommand({
        Entries: details.map((d) => entry({ EventBusName: 'shop-dev-events', Detail: JSON.stringify(d) })),
      }),
    );
    await bus.idle();
    const [object] = await firehose.flush();
    client.destroy();

    // Assess
    const year = String(new Date().getUTCFullYear());
    expect(object?.key).toMatch(new RegExp(`^events/${year}/\\d{2}/\\d{2}/shop-dev-archive-1-${year}-`));
    const listed = await s3Client.send(new ListObjectsV2Command({ Bucket: 'shop-dev-archive' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([object?.key]);
    const got = await s3Client.send(new GetObjectCommand({ Bucket: 'shop-dev-archive', Key: object?.key }));
    const text = (await got.Body?.transformToString()) ?? '';
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as EventBridgeEvent);
    expect(lines.map((e) => e.detail.sequenceNr).sort()).toEqual([1, 3]);
    expect(lines.find((e) => e.detail.sequenceNr === 1)).toMatchObject({
      'detail-type': 'order.placed',
      source: 'blueprints.test',
      detail: { text: 'line "one"\nwith a newline' },
    });
  });

  it('forwards events to another bus and applies that bus rules', async () => {
    // Prepare
    bus.addEventBus('audit');
    const seen: string[] = [];
    bus.putRule(
      {
        name: 'to-audit',
        busName: 'default',
        eventPattern: { source: ['blueprints.test'] },
        targets: [{ id: 'audit-bus', arn: 'arn:aws:events:us-east-1:000000000000:event-bus/audit' }],
      },
      {},
    );
    bus.putRule(
      {
        name: 'audit-archive',
        busName: 'audit',
        eventPattern: { detail: { persist: [true] } },
        targets: [{ id: 'queue', arn: 'arn:aws:sqs:us-east-1:000000000000:shop-dev-fair', input: '{"constant":true}' }],
      },
      { sqs },
    );
    bus.onEvent((_event, info) => seen.push(info.busName));

    // Act
    bus.putEvents([entry({ Detail: JSON.stringify({ persist: true }) })]);
    await bus.idle();

    // Assess
    expect(seen).toEqual(['default', 'audit']);
    expect(sqs.messages('shop-dev-fair').map((m) => m.body)).toEqual(['{"constant":true}']);
  });

  it('never delivers for a disabled rule', async () => {
    // Act
    bus.putEvents([entry({ EventBusName: 'shop-dev-events', DetailType: 'anything', Detail: '{}' })]);
    await bus.idle();

    // Assess
    expect(bus.deliveries.filter((d) => d.rule === 'shop-dev-DisabledRule')).toEqual([]);
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
