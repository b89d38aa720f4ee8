import { join } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  createBucketsFromTemplate,
  createStreamsFromTemplate,
  type EventBridgeEvent,
  functionsFromTemplate,
  LocalEventBridge,
  LocalFirehose,
  type LocalKinesis,
  LocalLambda,
  type LocalPipes,
  type LocalS3,
  LocalSqs,
  packagedServiceResolver,
  sourceHandlerLoader,
  startLocalKinesis,
  startLocalS3,
  startPipesFromTemplate,
  type TemplateResolver,
} from '@blueprints/offline';
import {
  aggregate,
  blockSummaryRecordIon,
  controlRecordIon,
  corruptMd5,
  encodeIon,
  revisionRecordIon,
} from './helpers/factories.js';

const SERVICE_DIR = join(import.meta.dirname, '..');
const STREAM = 'qldb-pipe-dev-journal';

let resolver: TemplateResolver;
let kinesis: LocalKinesis;
let s3: LocalS3;
let s3Client: S3Client;
let firehose: LocalFirehose;
let bus: LocalEventBridge;
let sqs: LocalSqs;
let pipes: LocalPipes;
let events: EventBridgeEvent[] = [];

beforeAll(async () => {
  resolver = await packagedServiceResolver(SERVICE_DIR);
  kinesis = await startLocalKinesis();
  await createStreamsFromTemplate(resolver, kinesis.client);
  s3 = await startLocalS3();
  s3Client = new S3Client({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createBucketsFromTemplate(resolver, s3Client);
  firehose = LocalFirehose.fromTemplate(resolver, { s3: s3Client });
  bus = await LocalEventBridge.start();
  bus.loadTemplate(resolver, { firehose });
  bus.onEvent((event) => events.push(event));
  sqs = await LocalSqs.start();
  await sqs.createQueuesFromTemplate(resolver);
  // The enrich function reaches the local bus through the SDK's endpoint variable, as deployed code would reach AWS.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  const functions = functionsFromTemplate(resolver).map((fn) => ({
    ...fn,
    environment: { ...fn.environment, POWERTOOLS_LOG_LEVEL: 'WARN' },
  }));
  const lambda = new LocalLambda(functions, sourceHandlerLoader(SERVICE_DIR));
  pipes = await startPipesFromTemplate(resolver, {
    kinesis: kinesis.client,
    lambda,
    eventBridge: bus,
    sqs,
    pollIntervalMs: 10,
  });
}, 300_000);

afterAll(async () => {
  await pipes?.stop();
  await bus?.close();
  await firehose?.close();
  await sqs?.close();
  await s3?.close();
  await kinesis?.close();
});

beforeEach(() => {
  events = [];
  pipes.failures.splice(0);
  pipes.enrichmentInvocations.splice(0);
});

async function putRecord(data: Buffer): Promise<string> {
  const output = await kinesis.client.send(
    new PutRecordCommand({ StreamName: STREAM, Data: data, PartitionKey: 'IiPT4brpZCqCq3f4MTHbYy' }),
  );
  return String(output.SequenceNumber);
}

async function settle(): Promise<void> {
  await pipes.idle();
  await bus.idle();
}

describe('Pipe: QLDB journal stream → enrich → event bus → Firehose → S3 (from the packaged template)', () => {
  it('reads the pipe, its source and its enrichment from the packaged template', () => {
    // Assess
    expect(pipes.pipes).toEqual([
      expect.objectContaining({
        name: 'qldb-pipe-dev',
        streamName: STREAM,
        startingPosition: 'TRIM_HORIZON',
        batchSize: 10,
        maximumRetryAttempts: 5,
        bisectOnError: true,
        enrichment: 'arn:aws:lambda:us-east-1:000000000000:function:qldb-pipe-dev-enrich',
        target: 'arn:aws:events:us-east-1:000000000000:event-bus/qldb-pipe-dev',
        deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:qldb-pipe-dev-pipe-dlq',
      }),
    ]);
  });

  it('delivers all 50 events of ONE aggregated record of 50 QLDB records to the bus and to S3 as NDJSON', async () => {
    // Prepare
    const users = Array.from({ length: 50 }, (_, i) =>
      encodeIon(revisionRecordIon({ tableName: 'Orders', documentId: `doc-${i}`, version: i })),
    );

    // Act
    const sequenceNumber = await putRecord(aggregate(users));
    await settle();
    const [object] = await firehose.flush();

    // Assess
    expect(pipes.failures).toEqual([]);
    expect(pipes.enrichmentInvocations).toEqual([{ pipe: 'qldb-pipe-dev', records: 1, returned: 0 }]);
    expect(events).toHaveLength(50);
    expect(new Set(events.map((e) => e.detail.documentId)).size).toBe(50);
    expect(events.every((e) => e.source === 'qldb' && e['detail-type'] === 'REVISION_DETAILS')).toBe(true);
    expect(events.map((e) => (e.detail.kinesis as { sequenceNumber: string }).sequenceNumber)).toEqual(
      Array(50).fill(sequenceNumber),
    );

    expect(object?.key).toMatch(/^events\/year=\d{4}\/month=\d{2}\/day=\d{2}\//);
    const body = await (
      await s3Client.send(new GetObjectCommand({ Bucket: object?.bucket, Key: object?.key }))
    ).Body?.transformToString();
    const lines = (body ?? '').split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(50);
    expect(lines.map((line) => JSON.parse(line).detail.documentId).sort()).toEqual(
      users.map((_, i) => `doc-${i}`).sort(),
    );
  });

  it('gives each event its record type as detail-type', async () => {
    // Prepare
    const control = encodeIon(controlRecordIon('CREATED'));
    const aggregated = aggregate([
      encodeIon(blockSummaryRecordIon(20)),
      encodeIon(revisionRecordIon({ documentId: 'deleted', dataIon: undefined })),
    ]);

    // Act
    await putRecord(control);
    await putRecord(aggregated);
    await settle();

    // Assess
    expect(events.map((e) => [e.source, e['detail-type']])).toEqual([
      ['qldb', 'CONTROL'],
      ['qldb', 'BLOCK_SUMMARY'],
      ['qldb', 'REVISION_DETAILS'],
    ]);
    expect(events[2]?.detail).toMatchObject({ documentId: 'deleted', deleted: true });
  });

  it('dead-letters a malformed record with its sequence number and still delivers the records around it', async () => {
    // Prepare
    const before = aggregate([encodeIon(revisionRecordIon({ documentId: 'before' }))]);
    const broken = corruptMd5(aggregate([encodeIon(revisionRecordIon({ documentId: 'lost?' }))]));
    const after = encodeIon(revisionRecordIon({ documentId: 'after' }), 'text');
    const dlqBefore = sqs.messages('qldb-pipe-dev-pipe-dlq').length;

    // Act
    await putRecord(before);
    const brokenSequence = await putRecord(broken);
    await putRecord(after);
    await settle();

    // Assess
    expect(events.map((e) => e.detail.documentId).sort()).toEqual(['after', 'before']);
    const dead = sqs.messages('qldb-pipe-dev-pipe-dlq').slice(dlqBefore);
    expect(dead).toHaveLength(1);
    const message = JSON.parse(dead[0]?.body ?? '{}');
    expect(message.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: brokenSequence,
      endSequenceNumber: brokenSequence,
      batchSize: 1,
    });
    expect(message.requestContext.errorMessage).toBe(
      `Kinesis record ${brokenSequence}: KPL aggregated record fails its MD5 checksum`,
    );
    expect(message.requestContext.approximateInvokeCount).toBe(6);
  });
});
