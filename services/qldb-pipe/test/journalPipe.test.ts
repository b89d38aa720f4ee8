import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseEnvelope } from '@blueprints/common';
import type { EventBridgeEvent, LocalEventBridge, LocalFirehose } from '@blueprints/local-eventbridge';
import { type LocalKinesis, LocalPipes, pipesFromTemplate } from '@blueprints/local-pipes';
import { type Handler, type LocalFunction, LocalLambda, sourceHandlerLoader } from '@blueprints/local-runtime';
import type { LocalSqs } from '@blueprints/local-sqs';
import { freeLocalPort, type LocalStack, startLocalStack } from '@blueprints/local-stack';
import type { TemplateResolver } from '@blueprints/packaging';
import {
  aggregate,
  blockSummaryRecordIon,
  controlRecordIon,
  corruptMd5,
  encodeIon,
  revisionRecordIon,
} from './helpers/factories.js';
import { type FaultyEventBridge, startFaultyEventBridge } from './helpers/faultyEventBridge.js';
import { startRevisionStore } from './helpers/revisionStore.js';

const SERVICE_DIR = join(import.meta.dirname, '..');
const STREAM = 'qldb-pipe-dev-journal';

let resolver: TemplateResolver;
let local: LocalStack;
let kinesis: LocalKinesis;
let s3Client: S3Client;
let firehose: LocalFirehose;
let bus: LocalEventBridge;
let sqs: LocalSqs;
let pipes: LocalPipes;
let events: EventBridgeEvent[] = [];
let functions: LocalFunction[];
let baseEnvironment: Record<string, string>;
let coldPipes: LocalPipes | undefined;
const coldInvocations = () => coldPipes?.targetInvocations.length ?? 0;
// A loopback PutEvents endpoint between `enrich` and the local bus: it forwards what it accepts
// and, when a test asks, rejects chosen entries the way EventBridge does.
let faulty: FaultyEventBridge;

beforeAll(async () => {
  // The bus's port is chosen first, so the faulty endpoint in front of it can start before the stack.
  const busPort = await freeLocalPort();
  faulty = await startFaultyEventBridge({ kind: 'ok' }, { upstream: `http://127.0.0.1:${busPort}` });
  local = await startLocalStack({
    services: [SERVICE_DIR],
    ports: { eventBridge: busPort },
    logLevel: 'ERROR',
    pollIntervalMs: 10,
    handlerLoader: (service) => sourceHandlerLoader(service.dir),
    // The enrich function reaches the local bus through the SDK's endpoint variable, as deployed code would reach AWS.
    lambda: (service, loader, environment) => {
      baseEnvironment = { ...environment, AWS_ENDPOINT_URL_EVENTBRIDGE: faulty.endpoint };
      return new LocalLambda(service.functions, loader, baseEnvironment);
    },
  });
  local.onClose(() => faulty.close());
  ({ kinesis, bus, sqs } = local);
  s3Client = local.clients.s3;
  const [service] = local.services;
  if (!service?.pipes) throw new Error('startLocalStack wired no pipe');
  ({ resolver, functions, firehose, pipes } = service);
  bus.onEvent((event) => events.push(event));
}, 300_000);

afterAll(async () => {
  await coldPipes?.stop();
  await local?.close();
});

beforeEach(() => {
  faulty.setFault({ kind: 'ok' });
  events = [];
  pipes.failures.splice(0);
  pipes.targetInvocations.splice(0);
});

async function putRecord(data: Buffer): Promise<string> {
  const output = await kinesis.client.send(
    new PutRecordCommand({ StreamName: STREAM, Data: data, PartitionKey: 'IiPT4brpZCqCq3f4MTHbYy' }),
  );
  return String(output.SequenceNumber);
}

/** Puts records in one call, so that the pipe reads them as one batch. */
async function putRecords(data: Buffer[]): Promise<string[]> {
  const output = await kinesis.client.send(
    new PutRecordsCommand({
      StreamName: STREAM,
      Records: data.map((Data, i) => ({ Data, PartitionKey: `doc-${i}` })),
    }),
  );
  return (output.Records ?? []).map((r) => String(r.SequenceNumber));
}

/** The QLDB event inside an event's envelope. */
function context(event: EventBridgeEvent): Record<string, unknown> {
  return event.detail.context as Record<string, unknown>;
}

async function settle(): Promise<void> {
  await pipes.idle();
  await bus.idle();
}

describe('Pipe: QLDB journal stream → enrich → event bus → Firehose → S3 (from the packaged template)', () => {
  it('reads the pipe, its source and its target function from the packaged template', () => {
    // Assess
    expect(pipes.pipes).toEqual([
      expect.objectContaining({
        name: 'qldb-pipe-dev',
        streamName: STREAM,
        startingPosition: 'TRIM_HORIZON',
        batchSize: 10,
        maximumRetryAttempts: 5,
        bisectOnError: true,
        target: 'arn:aws:lambda:us-east-1:000000000000:function:qldb-pipe-dev-enrich',
        targetKind: 'lambda',
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
    expect(pipes.targetInvocations).toEqual([{ pipe: 'qldb-pipe-dev', records: 1, failed: 0 }]);
    expect(events).toHaveLength(50);
    expect(new Set(events.map((e) => context(e).documentId)).size).toBe(50);
    expect(events.every((e) => e.source === 'qldb' && e['detail-type'] === 'REVISION_DETAILS')).toBe(true);
    expect(events.map((e) => (context(e).kinesis as { sequenceNumber: string }).sequenceNumber)).toEqual(
      Array(50).fill(sequenceNumber),
    );

    expect(object?.key).toMatch(/^events\/year=\d{4}\/month=\d{2}\/day=\d{2}\//);
    const body = await (
      await s3Client.send(new GetObjectCommand({ Bucket: object?.bucket, Key: object?.key }))
    ).Body?.transformToString();
    const lines = (body ?? '').split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(50);
    expect(lines.map((line) => JSON.parse(line).detail.context.documentId).sort()).toEqual(
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
    expect(events[2]?.detail.context).toMatchObject({ documentId: 'deleted', deleted: true });
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
    expect(events.map((e) => context(e).documentId).sort()).toEqual(['after', 'before']);
    const dead = sqs.messages('qldb-pipe-dev-pipe-dlq').slice(dlqBefore);
    expect(dead).toHaveLength(1);
    const message = JSON.parse(dead[0]?.body ?? '{}');
    expect(message.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: brokenSequence,
      endSequenceNumber: brokenSequence,
      batchSize: 1,
    });
    expect(message.requestContext.errorMessage).toMatch(/^the target reported 1 of \d+ records failed$/);
    expect(message.requestContext.approximateInvokeCount).toBe(6);
  });

  /**
   * 30 ledger revisions in 3 aggregated Kinesis records, read as one batch; EventBridge refuses the
   * revision of document "poison" (record 2) with ThrottlingException on every attempt.
   */
  async function replayScenario(): Promise<{ revisions: number; poisonSequence: string }> {
    const ion = Array.from({ length: 30 }, (_, i) =>
      encodeIon(revisionRecordIon({ documentId: i === 14 ? 'poison' : `doc-${i}`, version: i })),
    );
    faulty.setFault({ kind: 'reject', rejects: (entry) => (entry.Detail ?? '').includes('"poison"') });
    const sequences = await putRecords([
      aggregate(ion.slice(0, 10)),
      aggregate(ion.slice(10, 20)),
      aggregate(ion.slice(20)),
    ]);
    return { revisions: ion.length, poisonSequence: sequences[1] as string };
  }

  /** Every event carries a valid envelope; a persisting consumer stores each key once. */
  async function assessReplay(label: string, revisions: number, poisonSequence: string, dlqBefore: number) {
    const envelopes = events.map((e) => parseEnvelope(e.detail));
    const keys = envelopes.map((e) => e.idempotencyKey);
    const distinct = new Set(keys);
    const revisionIds = new Set(envelopes.map((e) => `${e.context.documentId}@${e.context.version}`));
    const store = await startRevisionStore();
    let stored = 0;
    try {
      for (const envelope of envelopes) if (await store.saveOnce(envelope.idempotencyKey, envelope)) stored++;
    } finally {
      await store.close();
    }
    const dead = sqs.messages('qldb-pipe-dev-pipe-dlq').slice(dlqBefore);
    console.log(
      `[replay ${label}] ${revisions} ledger revisions, 1 refused forever: ${events.length} events on the bus, ` +
        `${distinct.size} distinct idempotency keys, ${events.length - distinct.size} duplicate deliveries, ` +
        `${stored} stored by a persisting consumer, ${pipes.targetInvocations.length + coldInvocations()} invocations, ` +
        `${dead.length} DLQ message(s)`,
    );
    expect(keys.every((k) => typeof k === 'string' && k.startsWith('qldb/'))).toBe(true);
    // Every revision but the refused one reached the bus, each under exactly one key.
    expect(distinct.size).toBe(revisions - 1);
    expect(revisionIds.size).toBe(distinct.size);
    expect(revisionIds.has('poison@14')).toBe(false);
    expect(stored).toBe(revisions - 1);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]?.body ?? '{}').KinesisBatchInfo).toMatchObject({
      startSequenceNumber: poisonSequence,
      endSequenceNumber: poisonSequence,
      batchSize: 1,
    });
    return events.length - distinct.size;
  }

  it('publishes each ledger revision under one stable key, and no duplicates, when one entry is throttled forever', async () => {
    // Prepare
    const dlqBefore = sqs.messages('qldb-pipe-dev-pipe-dlq').length;

    // Act
    const { revisions, poisonSequence } = await replayScenario();
    await settle();

    // Assess
    const duplicates = await assessReplay('warm container', revisions, poisonSequence, dlqBefore);
    expect(duplicates).toBe(0);
    // The poisoned record went back alone: 1 full batch, then 5 retries of that one record.
    expect(pipes.targetInvocations.map((i) => i.records)).toEqual([3, 1, 1, 1, 1, 1]);
  }, 120_000);

  it('bounds duplicates by the retries of the failing record when every retry lands on a cold container', async () => {
    // Prepare: the same pipe, reading from the tip of the stream, whose every invocation loads the
    // handler afresh (a new container: nothing remembered).
    await pipes.stop();
    const handlerUrl = pathToFileURL(join(SERVICE_DIR, 'src/handlers/enrich.ts')).href;
    let containers = 0;
    const cold = new LocalLambda(
      functions,
      async () => async (event, context) => {
        const module = (await import(`${handlerUrl}?container=${++containers}`)) as { handler: Handler };
        return module.handler(event, context);
      },
      baseEnvironment,
    );
    coldPipes = await new LocalPipes(
      pipesFromTemplate(resolver).map((p) => ({ ...p, startingPosition: 'LATEST' as const })),
      { kinesis: kinesis.client, lambda: cold, eventBridge: bus, sqs, pollIntervalMs: 10 },
    ).start();
    const dlqBefore = sqs.messages('qldb-pipe-dev-pipe-dlq').length;

    // Act
    const { revisions, poisonSequence } = await replayScenario();
    await coldPipes.idle();
    await bus.idle();

    // Assess
    const duplicates = await assessReplay('cold container per invocation', revisions, poisonSequence, dlqBefore);
    // Only the poisoned record's 9 other revisions go out again, once per retry (MaximumRetryAttempts 5).
    expect(duplicates).toBe(9 * 5);
    expect(containers).toBe(6);
  }, 120_000);
});
