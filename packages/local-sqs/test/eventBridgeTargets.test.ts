import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type EventBridgeEvent, LocalEventBridge, LocalFirehose } from '@blueprints/local-eventbridge';
import { functionsFromTemplate, LocalLambda } from '@blueprints/local-runtime';
import { createBucketsFromTemplate, type LocalS3, startLocalS3 } from '@blueprints/local-storage';
import { type CfnTemplate, TemplateResolver } from '@blueprints/packaging';
import { LocalSqs } from '../src/index.js';

// The local bus's template targets (Lambda, Firehose to S3, and queues: this package's LocalSqs) wired
// as a packaged template declares them. It lives here because local-sqs depends on local-eventbridge.
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

describe('Method: LocalEventBridge.loadTemplate()', () => {
  let bus: LocalEventBridge;
  let sqs: LocalSqs;
  let s3: LocalS3;
  let s3Client: S3Client;
  let firehose: LocalFirehose;
  let invocations: unknown[];
  let resolver: TemplateResolver;

  beforeEach(async () => {
    resolver = new TemplateResolver(busTemplate(), stack);
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

/**
 * A small packaged template of a bus-centred service: a custom bus, a rule archiving
 * persisted events to Firehose → S3 as NDJSON, a rule for a Lambda, and a fair-queue rule with
 * `SqsParameters.MessageGroupId: $.detail.brand`.
 */
export function busTemplate(): CfnTemplate {
  return {
    Resources: {
      EventsBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'shop-dev-events' } },
      ArchiveBucket: {
        Type: 'AWS::S3::Bucket',
        Properties: { BucketName: 'shop-dev-archive' },
      },
      ArchiveStream: {
        Type: 'AWS::KinesisFirehose::DeliveryStream',
        Properties: {
          DeliveryStreamName: 'shop-dev-archive',
          DeliveryStreamType: 'DirectPut',
          ExtendedS3DestinationConfiguration: {
            BucketARN: { 'Fn::GetAtt': ['ArchiveBucket', 'Arn'] },
            Prefix: 'events/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
            ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy}/',
            BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 },
            RoleARN: 'arn:aws:iam::000000000000:role/firehose',
          },
        },
      },
      FairQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'shop-dev-fair' } },
      UndeliveredQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'shop-dev-undelivered' } },
      PersistFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: 'shop-dev-persist', Handler: 'src/handlers/persist.handler' },
      },
      ArchiveRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'EventsBus' },
          EventPattern: { detail: { persist: [true] } },
          State: 'ENABLED',
          Targets: [
            {
              Id: 'archive',
              Arn: { 'Fn::GetAtt': ['ArchiveStream', 'Arn'] },
              InputTransformer: { InputTemplate: '<aws.events.event.json>\n' },
            },
          ],
        },
      },
      PersistRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { 'Fn::GetAtt': ['EventsBus', 'Arn'] },
          EventPattern: JSON.stringify({ detail: { persist: [true] } }),
          Targets: [
            {
              Id: 'persist',
              Arn: { 'Fn::GetAtt': ['PersistFunction', 'Arn'] },
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['UndeliveredQueue', 'Arn'] } },
            },
          ],
        },
      },
      FairQueueRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'EventsBus' },
          EventPattern: { 'detail-type': ['order.placed'] },
          Targets: [
            {
              Id: 'fair-queue',
              Arn: { 'Fn::GetAtt': ['FairQueue', 'Arn'] },
              SqsParameters: { MessageGroupId: '$.detail.brand' },
              InputPath: '$.detail',
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['UndeliveredQueue', 'Arn'] } },
            },
          ],
        },
      },
      DisabledRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'EventsBus' },
          EventPattern: { source: [{ prefix: '' }] },
          State: 'DISABLED',
          Targets: [{ Id: 'never', Arn: { 'Fn::GetAtt': ['FairQueue', 'Arn'] } }],
        },
      },
      NightlyRule: {
        Type: 'AWS::Events::Rule',
        Properties: { ScheduleExpression: 'rate(1 day)', Targets: [] },
      },
    },
  };
}
