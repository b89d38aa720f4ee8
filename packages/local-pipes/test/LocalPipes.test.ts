import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { type EventBridgeEvent, LocalEventBridge } from '@blueprints/local-eventbridge';
import { functionsFromTemplate, type Handler, LocalLambda } from '@blueprints/local-runtime';
import { LocalSqs } from '@blueprints/local-sqs';
import { type CfnTemplate, TemplateResolver } from '@blueprints/packaging';
import { type LocalPipes, startPipesFromTemplate } from '../src/LocalPipes.js';
import { createStreamsFromTemplate, type LocalKinesis, startLocalKinesis } from '../src/localKinesis.js';

interface PipeSpec {
  stream: string;
  batchSize?: number;
  retries?: number;
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  enrichment?: boolean;
  eventBusParameters?: Record<string, unknown>;
  inputTemplate?: string;
  /** The function is the pipe's target instead of its enrichment. */
  lambdaTarget?: boolean;
}

/** A template with one Kinesis → (enrichment) → event bus pipe, as `osls package` would write it. */
function pipeTemplate(spec: PipeSpec): CfnTemplate {
  return {
    Resources: {
      Stream: {
        Type: 'AWS::Kinesis::Stream',
        Properties: { Name: spec.stream, StreamModeDetails: { StreamMode: 'ON_DEMAND' } },
      },
      Enrich: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: `${spec.stream}-enrich`, Handler: 'src/handlers/enrich.handler' },
      },
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: `${spec.stream}-bus` } },
      Dlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `${spec.stream}-dlq` } },
      Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: `${spec.stream}-pipe` } },
      Pipe: {
        Type: 'AWS::Pipes::Pipe',
        Properties: {
          Name: `${spec.stream}-pipe`,
          RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Source: { 'Fn::GetAtt': ['Stream', 'Arn'] },
          SourceParameters: {
            KinesisStreamParameters: {
              StartingPosition: spec.startingPosition ?? 'TRIM_HORIZON',
              BatchSize: spec.batchSize ?? 10,
              MaximumRetryAttempts: spec.retries ?? 2,
              OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } },
            },
          },
          ...(spec.enrichment === false || spec.lambdaTarget
            ? {}
            : { Enrichment: { 'Fn::GetAtt': ['Enrich', 'Arn'] } }),
          Target: { 'Fn::GetAtt': [spec.lambdaTarget ? 'Enrich' : 'Bus', 'Arn'] },
          TargetParameters: {
            ...(spec.inputTemplate ? { InputTemplate: spec.inputTemplate } : {}),
            ...(spec.eventBusParameters ? { EventBridgeEventBusParameters: spec.eventBusParameters } : {}),
          },
        },
      },
    },
  };
}

let kinesis: LocalKinesis;
let streams = 0;
const running: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];

beforeAll(async () => {
  kinesis = await startLocalKinesis();
});

afterEach(async () => {
  for (const r of running.splice(0)) await ('stop' in r ? r.stop() : r.close());
});

afterAll(async () => {
  await kinesis.close();
});

/** Starts the template's stand-ins and the pipe runner with `enrich` as the enrichment. */
async function startPipe(
  spec: Omit<PipeSpec, 'stream'>,
  enrich: Handler = async (batch) => batch,
  transport: 'in-process' | 'http' = 'in-process',
) {
  const stream = `pipe-test-${++streams}`;
  const resolver = new TemplateResolver(pipeTemplate({ ...spec, stream }), {
    stackName: 'pipes-test',
    region: 'us-east-1',
    accountId: '000000000000',
  });
  await createStreamsFromTemplate(resolver, kinesis.client);
  const invocations: unknown[][] = [];
  const lambda = new LocalLambda(functionsFromTemplate(resolver), async () => async (event, context) => {
    invocations.push(event);
    return enrich(event, context);
  });
  const bus = await LocalEventBridge.start();
  bus.loadTemplate(resolver, {});
  const events: EventBridgeEvent[] = [];
  bus.onEvent((event) => events.push(event));
  const sqs = await LocalSqs.start();
  await sqs.createQueuesFromTemplate(resolver);
  running.push(bus, sqs);
  const put = async (records: Array<{ data: string; key?: string }>) => {
    await kinesis.client.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: records.map((r, i) => ({ Data: Buffer.from(r.data), PartitionKey: r.key ?? `pk-${i}` })),
      }),
    );
  };
  const start = async (): Promise<LocalPipes> => {
    const pipes = await startPipesFromTemplate(resolver, {
      ...(transport === 'http' ? { kinesisEndpoint: kinesis.endpoint } : { kinesis: kinesis.client }),
      lambda,
      eventBridge: transport === 'http' ? bus.endpoint : bus,
      sqs,
      pollIntervalMs: 10,
    });
    running.unshift(pipes);
    return pipes;
  };
  return { stream, resolver, bus, sqs, events, invocations, put, start, dlq: () => sqs.messages(`${stream}-dlq`) };
}

describe('Class: LocalPipes', () => {
  it('hands the enrichment Pipes-shaped Kinesis records and puts what it returns on the bus', async () => {
    // Prepare
    const t = await startPipe({ eventBusParameters: { Source: 'orders', DetailType: 'Order Placed' } });
    await t.put([{ data: '{"id":1}', key: 'a' }]);

    // Act
    const pipes = await t.start();
    await pipes.idle();
    await t.bus.idle();

    // Assess
    const [record] = t.invocations[0] as Array<Record<string, unknown>>;
    expect(record).toEqual({
      kinesisSchemaVersion: '1.0',
      partitionKey: 'a',
      sequenceNumber: expect.stringMatching(/^\d+$/),
      data: Buffer.from('{"id":1}').toString('base64'),
      approximateArrivalTimestamp: expect.any(Number),
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: expect.stringMatching(/^shardId-000000000000:\d+$/),
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::000000000000:role/${t.stream}-pipe`,
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${t.stream}`,
    });
    expect(t.events).toHaveLength(1);
    expect(t.events[0]).toMatchObject({ source: 'orders', 'detail-type': 'Order Placed', detail: record });
    expect(pipes.failures).toEqual([]);
  });

  it('delivers over HTTP to a bus endpoint that speaks PutEvents, reading Kinesis from its endpoint', async () => {
    // Prepare
    const t = await startPipe(
      { eventBusParameters: { Source: 'qldb', DetailType: '$.kind' } },
      async (batch) => (batch as unknown[]).map((_, i) => ({ kind: `k${i}` })),
      'http',
    );
    await t.put([{ data: 'a' }, { data: 'b' }]);

    // Act
    const pipes = await t.start();
    await pipes.idle();
    await t.bus.idle();

    // Assess
    expect(t.events.map((e) => [e.source, e['detail-type']])).toEqual([
      ['qldb', 'k0'],
      ['qldb', 'k1'],
    ]);
    expect(pipes.failures).toEqual([]);
  });

  it('invokes the enrichment with at most BatchSize records', async () => {
    // Prepare
    const t = await startPipe({ batchSize: 3 }, async () => []);
    await t.put(Array.from({ length: 7 }, (_, i) => ({ data: `r${i}` })));

    // Act
    const pipes = await t.start();
    await pipes.idle();

    // Assess
    expect(t.invocations.map((batch) => batch.length)).toEqual([3, 3, 1]);
  });

  it('skips the target when the enrichment returns an empty array', async () => {
    // Prepare
    const t = await startPipe({}, async () => []);
    await t.put([{ data: 'x' }]);

    // Act
    const pipes = await t.start();
    await pipes.idle();

    // Assess
    expect(pipes.deliveries).toEqual([]);
    expect(pipes.failures).toEqual([]);
  });

  it('does not invoke an event-bus target with more than 10 events: the batch is lost and recorded as a failure', async () => {
    // Prepare
    const t = await startPipe({}, async () => Array.from({ length: 11 }, (_, i) => ({ i })));
    await t.put([{ data: 'one record that expands to 11 events' }]);

    // Act
    const pipes = await t.start();
    await pipes.idle();
    await t.bus.idle();

    // Assess
    expect(t.events).toEqual([]);
    expect(pipes.failures).toEqual([
      expect.objectContaining({ kind: 'target-batch-limit', message: expect.stringContaining('returned 11 events') }),
    ]);
  });

  it('resolves a whole-value DetailType path against each event the enrichment returns', async () => {
    // Prepare
    const t = await startPipe({ eventBusParameters: { Source: 'qldb', DetailType: '$.recordType' } }, async (batch) =>
      (batch as unknown[]).map((_, i) => ({ recordType: i === 0 ? 'CONTROL' : 'REVISION_DETAILS' })),
    );
    await t.put([{ data: 'a' }, { data: 'b' }]);

    // Act
    const pipes = await t.start();
    await pipes.idle();
    await t.bus.idle();

    // Assess
    expect(t.events.map((e) => e['detail-type'])).toEqual(['CONTROL', 'REVISION_DETAILS']);
  });

  it('fails the batch, and dead-letters it, when a DetailType path does not resolve', async () => {
    // Prepare
    const t = await startPipe({ retries: 1, eventBusParameters: { DetailType: '$.recordType' } }, async () => [
      { other: 1 },
    ]);
    await t.put([{ data: 'a' }]);

    // Act
    const pipes = await t.start();
    await pipes.idle();

    // Assess
    expect(t.events).toEqual([]);
    expect(pipes.failures.map((f) => f.kind)).toEqual(['target-parameters', 'target-parameters']);
    expect(pipes.failures[0]?.message).toContain('DetailType is the dynamic path $.recordType');
    expect(t.dlq()).toHaveLength(1);
  });

  it('reads a DetailType path from the JSON in Kinesis data when there is no enrichment', async () => {
    // Prepare
    const t = await startPipe({ enrichment: false, eventBusParameters: { DetailType: '$.data.kind' } });
    await t.put([{ data: '{"kind":"OrderPlaced"}' }]);

    // Act
    const pipes = await t.start();
    await pipes.idle();
    await t.bus.idle();

    // Assess
    expect(t.events.map((e) => [e.source, e['detail-type']])).toEqual([[`Pipe ${t.stream}-pipe`, 'OrderPlaced']]);
  });

  it('applies an InputTemplate to each event', async () => {
    // Prepare
    const t = await startPipe({ inputTemplate: '{"type": "<$.kind>", "whole": <aws.pipes.event.json>}' }, async () => [
      { kind: 'k1', n: 1 },
    ]);
    await t.put([{ data: 'a' }]);

    // Act
    const pipes = await t.start();
    await pipes.idle();
    await t.bus.idle();

    // Assess
    expect(t.events[0]?.detail).toEqual({ type: 'k1', whole: { kind: 'k1', n: 1 } });
  });

  it('bisects a failing batch, delivers the good records and dead-letters the bad one after its retries', async () => {
    // Prepare
    const t = await startPipe({ retries: 2 }, async (batch) => {
      const records = batch as Array<{ data: string; sequenceNumber: string }>;
      const bad = records.find((r) => Buffer.from(r.data, 'base64').toString() === 'bad');
      if (bad) throw new Error(`Kinesis record ${bad.sequenceNumber}: not valid`);
      return records.map((r) => ({ body: Buffer.from(r.data, 'base64').toString() }));
    });
    await t.put([{ data: 'good-1' }, { data: 'good-2' }, { data: 'bad' }, { data: 'good-3' }]);

    // Act
    const pipes = await t.start();
    await pipes.idle();
    await t.bus.idle();

    // Assess
    expect(t.events.map((e) => e.detail.body).sort()).toEqual(['good-1', 'good-2', 'good-3']);
    const dead = t.dlq();
    expect(dead).toHaveLength(1);
    const body = JSON.parse(dead[0]?.body ?? '{}');
    const badSequence = (t.invocations.flat() as Array<{ data: string; sequenceNumber: string }>).find(
      (r) => Buffer.from(r.data, 'base64').toString() === 'bad',
    )?.sequenceNumber;
    expect(body.KinesisBatchInfo).toMatchObject({
      shardId: 'shardId-000000000000',
      startSequenceNumber: badSequence,
      endSequenceNumber: badSequence,
      batchSize: 1,
      streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${t.stream}`,
    });
    expect(body.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 });
    expect(body.requestContext.errorMessage).toContain(`Kinesis record ${badSequence}`);
  });

  it('retries only the records a Lambda target reports in batchItemFailures, then dead-letters them', async () => {
    // Prepare
    const t = await startPipe({ retries: 2, lambdaTarget: true }, async (batch) => {
      const records = batch as Array<{ data: string; eventID: string }>;
      const failed = records.filter((r) => Buffer.from(r.data, 'base64').toString() === 'stuck');
      return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.eventID })) };
    });
    await t.put([{ data: 'ok-1' }, { data: 'stuck' }, { data: 'ok-2' }]);

    // Act
    const pipes = await t.start();
    await pipes.idle();

    // Assess
    const seen = t.invocations.map((batch) =>
      (batch as Array<{ data: string }>).map((r) => Buffer.from(r.data, 'base64').toString()),
    );
    expect(seen).toEqual([['ok-1', 'stuck', 'ok-2'], ['stuck'], ['stuck']]);
    expect(pipes.targetInvocations.map((i) => i.failed)).toEqual([1, 1, 1]);
    const dead = t.dlq();
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]?.body ?? '{}').KinesisBatchInfo).toMatchObject({ batchSize: 1 });
  });

  it('retries the whole batch when a Lambda target names a record that is not in it', async () => {
    // Prepare
    const t = await startPipe({ retries: 1, lambdaTarget: true }, async () => ({
      batchItemFailures: [{ itemIdentifier: 'not-a-record' }],
    }));
    await t.put([{ data: 'a' }, { data: 'b' }]);

    // Act
    const pipes = await t.start();
    await pipes.idle();

    // Assess
    expect(pipes.failures.map((f) => f.kind)).toContain('target-error');
    expect(t.invocations.length).toBeGreaterThan(1);
    expect(t.dlq().length).toBeGreaterThan(0);
  });

  it('starts from the tip of the stream with StartingPosition LATEST', async () => {
    // Prepare
    const t = await startPipe({ startingPosition: 'LATEST' }, async (batch) => batch);
    await t.put([{ data: 'before' }]);
    const pipes = await t.start();

    // Act
    await t.put([{ data: 'after' }]);
    await pipes.idle();
    await t.bus.idle();

    // Assess
    expect(t.events.map((e) => Buffer.from(String(e.detail.data), 'base64').toString())).toEqual(['after']);
  });
});
