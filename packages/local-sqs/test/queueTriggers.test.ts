import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { functionsFromTemplate, type Handler, LocalLambda } from '@blueprints/local-runtime';
import { TemplateResolver } from '@blueprints/packaging';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LocalSqs, type QueueTriggers, startQueueTriggers } from '../src/index.js';
import {
  inlineHandlers,
  sleep,
  sqsClient,
  stack,
  type WorkerTemplateOptions,
  workerTemplate,
} from './helpers/factories.js';

const QUEUE = 'jobs-dev-jobs';
const DLQ = 'jobs-dev-jobs-dlq';

let sqs: LocalSqs;
let client: SQSClient;
let triggers: QueueTriggers | undefined;

beforeEach(async () => {
  sqs = await LocalSqs.start({ region: stack.region, accountId: stack.accountId });
  client = sqsClient(sqs.endpoint);
});

afterEach(async () => {
  await triggers?.stop();
  triggers = undefined;
  client.destroy();
  await sqs.close();
});

/** What the in-test worker saw: one entry per invocation. */
interface Seen {
  at: number;
  records: SQSRecord[];
}

async function start(
  options: WorkerTemplateOptions,
  worker: Handler,
  beforePolling: () => Promise<unknown> = async () => undefined,
): Promise<QueueTriggers> {
  const resolver = new TemplateResolver(workerTemplate(options), stack);
  await sqs.createQueuesFromTemplate(resolver);
  await beforePolling();
  const lambda = new LocalLambda(functionsFromTemplate(resolver), inlineHandlers({ WorkerLambdaFunction: worker }));
  triggers = startQueueTriggers(resolver, sqs, lambda, { pollIntervalMs: 20, logger: null });
  return triggers;
}

function recording(respond: (event: SQSEvent, attempt: number) => unknown | Promise<unknown>): {
  seen: Seen[];
  handler: Handler;
} {
  const seen: Seen[] = [];
  const handler: Handler = async (event: SQSEvent) => {
    seen.push({ at: Date.now(), records: event.Records });
    return respond(event, seen.length);
  };
  return { seen, handler };
}

const bodies = (seen: Seen[]) => seen.map((s) => s.records.map((r) => r.body).sort());

describe('Function: startQueueTriggers()', () => {
  it('hands the function a Lambda-shaped SQS event that carries the MessageGroupId', async () => {
    // Prepare
    const { seen, handler } = recording(() => ({ batchItemFailures: [] }));
    const t = await start({}, handler);

    // Act
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queueUrl(QUEUE),
        MessageBody: '{"brand":"A"}',
        MessageGroupId: 'brand-a',
        MessageAttributes: { source: { DataType: 'String', StringValue: 'test' } },
      }),
    );
    await t.idle();

    // Assess
    expect(seen).toHaveLength(1);
    const [record] = seen[0]?.records ?? [];
    expect(record).toEqual({
      messageId: sent.MessageId,
      receiptHandle: expect.any(String),
      body: '{"brand":"A"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
        MessageGroupId: 'brand-a',
      },
      messageAttributes: {
        source: { stringValue: 'test', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
      md5OfBody: sent.MD5OfMessageBody,
      md5OfMessageAttributes: sent.MD5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${QUEUE}`,
      awsRegion: 'eu-west-1',
    });
    expect(sqs.counts(QUEUE)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(t.invocations.map((i) => i.outcome)).toEqual(['success']);
  });

  it('redelivers only the items a partial batch response lists, after the visibility timeout', async () => {
    // Prepare
    const { seen, handler } = recording((event, attempt): SQSBatchResponse => {
      const b = event.Records.find((r) => r.body === 'b');
      return { batchItemFailures: attempt === 1 && b ? [{ itemIdentifier: b.messageId }] : [] };
    });
    const t = await start({ visibilityTimeout: 1 }, handler);

    // Act
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: sqs.queueUrl(QUEUE),
        Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    await t.idle();

    // Assess
    expect(bodies(seen)).toEqual([['a', 'b', 'c'], ['b']]);
    expect(seen[1]?.records[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(t.invocations.map((i) => i.outcome)).toEqual(['partial-failure', 'success']);
    expect(sqs.counts(DLQ).visible).toBe(0);
  });

  it('returns the whole batch when the function throws', async () => {
    // Prepare
    const { seen, handler } = recording((_event, attempt) => {
      if (attempt === 1) throw new Error('database unavailable');
      return undefined;
    });
    const t = await start({ visibilityTimeout: 1 }, handler);

    // Act
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: sqs.queueUrl(QUEUE),
        Entries: ['x', 'y'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    await t.idle();

    // Assess
    expect(bodies(seen)).toEqual([
      ['x', 'y'],
      ['x', 'y'],
    ]);
    expect(t.invocations[0]).toMatchObject({ outcome: 'failure', error: new Error('database unavailable') });
  });

  it('treats a partial batch response naming an unknown item as a whole-batch failure', async () => {
    // Prepare
    const { seen, handler } = recording((_event, attempt) =>
      attempt === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] } : {},
    );
    const t = await start({ visibilityTimeout: 1 }, handler);

    // Act
    await sqs.sendMessage(QUEUE, 'only');
    await t.idle();

    // Assess
    expect(bodies(seen)).toEqual([['only'], ['only']]);
    expect(t.invocations[0]?.outcome).toBe('failure');
    expect(String(t.invocations[0]?.error)).toContain('not-in-this-batch');
  });

  it('treats an item without an itemIdentifier as a whole-batch failure', async () => {
    // Prepare
    const { seen, handler } = recording((_event, attempt) =>
      attempt === 1 ? { batchItemFailures: [{ itemIdentifier: '' }] } : null,
    );
    const t = await start({ visibilityTimeout: 1 }, handler);

    // Act
    await sqs.sendMessage(QUEUE, 'only');
    await t.idle();

    // Assess
    expect(bodies(seen)).toEqual([['only'], ['only']]);
  });

  it('ignores batchItemFailures when the mapping does not report batch item failures', async () => {
    // Prepare
    const { seen, handler } = recording((event) => ({
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    }));
    const t = await start({ reportBatchItemFailures: false }, handler);

    // Act
    await sqs.sendMessage(QUEUE, 'once');
    await t.idle();

    // Assess
    expect(bodies(seen)).toEqual([['once']]);
  });

  it('moves a message that keeps failing to the dead-letter queue after maxReceiveCount', async () => {
    // Prepare
    const { seen, handler } = recording((event) => ({
      batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })),
    }));
    const t = await start({ visibilityTimeout: 1, maxReceiveCount: 2 }, handler);

    // Act
    await sqs.sendMessage(QUEUE, 'poison', { messageGroupId: 'brand-a' });
    await sqs.sendMessage(QUEUE, 'fine', { messageGroupId: 'brand-b' });
    await t.idle();

    // Assess
    expect(bodies(seen)).toEqual([['fine', 'poison'], ['poison']]);
    const dead = sqs.messages(DLQ);
    expect(dead.map((m) => [m.body, m.messageGroupId, m.receiveCount])).toEqual([['poison', 'brand-a', 2]]);
    expect(dead[0]?.deadLetterQueueSourceArn).toBe(sqs.queueArn(QUEUE));
  });

  it('waits up to MaximumBatchingWindowInSeconds to fill a batch of BatchSize', async () => {
    // Prepare
    const { seen, handler } = recording(() => undefined);
    const t = await start({ batchSize: 3, maximumBatchingWindowInSeconds: 2 }, handler);

    // Act
    for (const body of ['1', '2', '3']) {
      await sqs.sendMessage(QUEUE, body);
      await sleep(100);
    }
    await t.idle();

    // Assess
    expect(bodies(seen)).toEqual([['1', '2', '3']]);
  });

  it('splits a backlog into batches of BatchSize', async () => {
    // Prepare
    const { seen, handler } = recording(() => undefined);
    const backlog = async () => {
      for (const body of ['1', '2', '3', '4', '5']) await sqs.sendMessage(QUEUE, body);
    };

    // Act
    const t = await start({ batchSize: 2 }, handler, backlog);
    await t.idle();

    // Assess
    expect(seen.map((s) => s.records.length)).toEqual([2, 2, 1]);
  });

  it('does not poll a mapping that is not enabled', async () => {
    // Prepare
    const { seen, handler } = recording(() => undefined);
    const t = await start({ enabled: false }, handler);

    // Act
    await sqs.sendMessage(QUEUE, 'waits');
    await sleep(200);
    await t.idle();

    // Assess
    expect(seen).toHaveLength(0);
    expect(t.mappings.map((m) => [m.logicalId, m.enabled])).toEqual([['WorkerEventSourceMappingSQSJobsQueue', false]]);
    expect(sqs.counts(QUEUE).visible).toBe(1);
  });

  it('invokes only for messages matching the FilterCriteria and deletes the others, as Lambda does for SQS', async () => {
    // Prepare
    const { seen, handler } = recording(() => undefined);
    const t = await start({ filterPattern: { body: { brand: ['A'] } } }, handler);

    // Act
    await sqs.sendMessage(QUEUE, JSON.stringify({ brand: 'A', n: 1 }));
    await sqs.sendMessage(QUEUE, JSON.stringify({ brand: 'B', n: 2 }));
    await sqs.sendMessage(QUEUE, 'not json');
    await t.idle();

    // Assess
    expect(seen.flatMap((s) => s.records.map((r) => r.body))).toEqual(['{"brand":"A","n":1}']);
    expect(sqs.messages(QUEUE)).toHaveLength(0);
    expect(sqs.messages(DLQ)).toHaveLength(0);
  });

  it('rejects a BatchSize above 10 without a batching window, as Lambda does', async () => {
    // Act
    const starting = start({ batchSize: 50 }, async () => undefined);

    // Assess
    await expect(starting).rejects.toThrow('needs MaximumBatchingWindowInSeconds of at least 1');
  });
});
