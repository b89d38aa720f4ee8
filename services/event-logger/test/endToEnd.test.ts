import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  createTablesFromTemplate,
  type EventBridgeEvent,
  functionsFromTemplate,
  LocalEventBridge,
  LocalFirehose,
  LocalLambda,
  LocalSqs,
  type QueueTriggers,
  sourceHandlerLoader,
  startLocalDynamoDb,
  startLocalS3,
  startQueueTriggers,
  type TemplateResolver,
} from '@blueprints/offline';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { StoredEvent } from '../src/storage/storedEvent.js';
import { ACCOUNT_ID, httpApiEvent, REGION } from './helpers/factories.js';
import { LOCAL_CREDENTIALS, packagedResolver, SERVICE_DIR } from './helpers/localTable.js';

interface PublishBody {
  correlationId: string;
  events: Array<{ eventId: string; detailType: string; sequenceNr: number; idempotencyKey: string }>;
}

/** The whole service on local stand-ins, wired from its packaged template. */
class LocalEventLogger {
  readonly accepted: EventBridgeEvent[] = [];
  readonly brandConsumerCalls: Array<{ event: SQSEvent; response: SQSBatchResponse }> = [];
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(
    readonly resolver: TemplateResolver,
    readonly lambda: LocalLambda,
    readonly bus: LocalEventBridge,
    readonly sqs: LocalSqs,
    readonly triggers: QueueTriggers,
    readonly firehose: LocalFirehose,
    readonly s3: S3Client,
    readonly dynamodb: DynamoDBClient,
  ) {}

  static async start(): Promise<LocalEventLogger> {
    const resolver = await packagedResolver();
    const ddb = await startLocalDynamoDb();
    const dynamodb = new DynamoDBClient({ endpoint: ddb.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
    await createTablesFromTemplate(resolver, dynamodb);
    const localS3 = await startLocalS3();
    const s3 = new S3Client({
      endpoint: localS3.endpoint,
      forcePathStyle: true,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    // Only the archive bucket: the deployment bucket osls adds is not part of the service.
    await s3.send(new CreateBucketCommand({ Bucket: resolver.physicalName('ArchiveBucket') }));
    const sqs = await LocalSqs.start({ region: REGION, accountId: ACCOUNT_ID });
    await sqs.createQueuesFromTemplate(resolver);
    const firehose = LocalFirehose.fromTemplate(resolver, { s3 });
    const bus = await LocalEventBridge.start({ region: REGION, accountId: ACCOUNT_ID });
    const lambda = new LocalLambda(functionsFromTemplate(resolver), sourceHandlerLoader(SERVICE_DIR), {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    bus.loadTemplate(resolver, { lambda, sqs, firehose });
    const triggers = startQueueTriggers(resolver, sqs, lambda, { pollIntervalMs: 50 });
    const stack = new LocalEventLogger(resolver, lambda, bus, sqs, triggers, firehose, s3, dynamodb);
    bus.onEvent((event) => stack.accepted.push(event));
    stack.observeBrandConsumer();
    stack.closers.push(
      () => triggers.stop(),
      () => bus.close(),
      () => sqs.close(),
      async () => {
        await firehose.close();
        s3.destroy();
        await localS3.close();
      },
      async () => {
        dynamodb.destroy();
        await ddb.close();
      },
    );
    return stack;
  }

  /** Records what brandConsumer receives and answers (observation only: the real handler runs). */
  private observeBrandConsumer(): void {
    const invoke = this.lambda.invoke.bind(this.lambda);
    const brandConsumer = this.lambda.find('BrandConsumerLambdaFunction').name;
    this.lambda.invoke = async (nameOrArn: string, event: unknown) => {
      const response = await invoke(nameOrArn, event);
      if (this.lambda.find(nameOrArn).name === brandConsumer) {
        this.brandConsumerCalls.push({ event: event as SQSEvent, response: response as SQSBatchResponse });
      }
      return response;
    };
  }

  async http(
    fn: 'PublishLambdaFunction' | 'QueryLambdaFunction',
    ...args: Parameters<typeof httpApiEvent>
  ): Promise<{ statusCode: number; body: unknown }> {
    const result = (await this.lambda.invoke(fn, httpApiEvent(...args))) as APIGatewayProxyStructuredResultV2;
    return { statusCode: Number(result.statusCode), body: JSON.parse(String(result.body)) };
  }

  /** Waits until every event is delivered, every queue drained and the archive flushed. */
  async settle(): Promise<void> {
    await this.bus.idle();
    await this.triggers.idle(20_000);
    await this.firehose.flush();
  }

  async tableItems() {
    const { Items = [] } = await this.dynamodb.send(
      new ScanCommand({ TableName: this.resolver.physicalName('EventsTable') }),
    );
    return Items;
  }

  async archivedLines(): Promise<string[]> {
    const bucket = this.resolver.physicalName('ArchiveBucket');
    const { Contents = [] } = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const lines: string[] = [];
    for (const { Key } of Contents) {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const text = (await object.Body?.transformToString()) ?? '';
      expect(text.endsWith('\n')).toBe(true);
      lines.push(...text.split('\n').filter((line) => line !== ''));
    }
    return lines;
  }

  async close(): Promise<void> {
    for (const close of this.closers) await close();
  }
}

const THREE_EVENTS = {
  events: [
    { detailType: 'order.placed', context: { brand: 'A', orderId: 'a-1', total: 42.5 }, persist: true },
    { detailType: 'order.placed', context: { brand: 'B', orderId: 'b-1', total: 9.99 }, persist: true },
    { detailType: 'cart.viewed', context: { brand: 'A', cartId: 'c-1' } },
  ],
};

describe('event-logger end to end (local stand-ins wired from the packaged template)', () => {
  let stack: LocalEventLogger;
  let published: PublishBody;

  beforeAll(async () => {
    stack = await LocalEventLogger.start();
    const response = await stack.http('PublishLambdaFunction', 'POST /events', { body: THREE_EVENTS });
    expect(response.statusCode).toBe(200);
    published = response.body as PublishBody;
    await stack.settle();
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('publishes the three events under one correlationId, numbered in request order', () => {
    // Assess
    expect(published.events.map((e) => [e.sequenceNr, e.detailType])).toEqual([
      [1, 'order.placed'],
      [2, 'order.placed'],
      [3, 'cart.viewed'],
    ]);
    expect(stack.accepted.map((e) => e.id).sort()).toEqual(published.events.map((e) => e.eventId).sort());
    expect(stack.accepted.every((e) => e.detail.correlationId === published.correlationId)).toBe(true);
  });

  it('stores the two persisted events, queryable by correlationId in sequence order', async () => {
    // Prepare
    const [first, second] = published.events;

    // Act
    const page = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { correlationId: published.correlationId },
    });
    const byId = await stack.http('QueryLambdaFunction', 'GET /events/{id}', {
      pathParameters: { id: String(first?.eventId) },
    });

    // Assess
    expect(page.statusCode).toBe(200);
    const items = (page.body as { items: StoredEvent[] }).items;
    expect(items.map((e) => [e.sequenceNr, e.id, e.context.brand])).toEqual([
      [1, first?.eventId, 'A'],
      [2, second?.eventId, 'B'],
    ]);
    expect(byId.statusCode).toBe(200);
    expect(byId.body).toMatchObject({ id: first?.eventId, detailType: 'order.placed', persist: true });
    const eventItems = (await stack.tableItems()).filter((i) => i.event?.S);
    expect(eventItems).toHaveLength(2);
  });

  it('pages through a correlationId with an opaque nextToken', async () => {
    // Act
    const first = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { correlationId: published.correlationId, limit: '1' },
    });
    const token = (first.body as { nextToken?: string }).nextToken;
    const second = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { correlationId: published.correlationId, limit: '1', nextToken: String(token) },
    });
    const foreign = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { detailType: 'order.placed', nextToken: String(token) },
    });

    // Assess
    expect((first.body as { items: StoredEvent[] }).items.map((e) => e.sequenceNr)).toEqual([1]);
    expect((second.body as { items: StoredEvent[] }).items.map((e) => e.sequenceNr)).toEqual([2]);
    expect(foreign.statusCode).toBe(400);
  });

  it('archives the two persisted events as NDJSON in local S3 under a date-partitioned prefix', async () => {
    // Act
    const lines = await stack.archivedLines();
    const keys = stack.firehose.objects.map((o) => o.key);

    // Assess
    const archived = lines.map((line) => JSON.parse(line) as EventBridgeEvent);
    expect(archived.map((e) => e.id).sort()).toEqual(
      published.events
        .slice(0, 2)
        .map((e) => e.eventId)
        .sort(),
    );
    expect(archived.every((e) => e.detail.persist === true && e['detail-type'] === 'order.placed')).toBe(true);
    expect(keys.every((k) => /^events\/year=\d{4}\/month=\d{2}\/day=\d{2}\//.test(k))).toBe(true);
  });

  it('delivers the order events of brands A and B to brandConsumer with their MessageGroupId', () => {
    // Assess
    const records = stack.brandConsumerCalls.flatMap((c) => c.event.Records);
    expect(
      records.map((r) => [r.attributes.MessageGroupId, (JSON.parse(r.body) as EventBridgeEvent).detail.context]).sort(),
    ).toEqual([
      ['A', { brand: 'A', orderId: 'a-1', total: 42.5 }],
      ['B', { brand: 'B', orderId: 'b-1', total: 9.99 }],
    ]);
    expect(stack.brandConsumerCalls.every((c) => c.response.batchItemFailures.length === 0)).toBe(true);
  });

  it('writes once when the same events are delivered twice', async () => {
    // Prepare: EventBridge delivers at least once: hand the persist queue the same events again
    const persistQueue = stack.resolver.physicalName('PersistQueue');
    const persisted = stack.accepted.filter((e) => e.detail.persist === true);
    const before = await stack.tableItems();
    const persistedMessagesBefore = stack.triggers.invocations
      .filter((i) => i.queueName === persistQueue)
      .flatMap((i) => i.messageIds).length;

    // Act
    for (const event of persisted) await stack.sqs.sendMessage(persistQueue, JSON.stringify(event), {});
    await stack.settle();

    // Assess
    const after = await stack.tableItems();
    expect(after).toHaveLength(before.length);
    expect(after.filter((i) => i.correlationId?.S === published.correlationId)).toHaveLength(2);
    const persistRuns = stack.triggers.invocations.filter((i) => i.queueName === persistQueue);
    expect(persistRuns.flatMap((i) => i.messageIds)).toHaveLength(persistedMessagesBefore + 2);
    expect(persistRuns.every((i) => i.outcome === 'success')).toBe(true);
  });

  it('writes once when a client retries the whole request with the same x-correlation-id', async () => {
    // Act: new EventBridge events (new ids), same default idempotency keys
    const retry = await stack.http('PublishLambdaFunction', 'POST /events', {
      body: THREE_EVENTS,
      headers: { 'x-correlation-id': published.correlationId },
    });
    await stack.settle();

    // Assess
    expect(retry.statusCode).toBe(200);
    const retried = retry.body as PublishBody;
    expect(retried.events.map((e) => e.idempotencyKey)).toEqual(published.events.map((e) => e.idempotencyKey));
    expect(retried.events[0]?.eventId).not.toBe(published.events[0]?.eventId);
    const items = await stack.tableItems();
    expect(items.filter((i) => i.correlationId?.S === published.correlationId)).toHaveLength(2);
  });

  it('answers 400 with every problem for an invalid request, publishing nothing', async () => {
    // Prepare
    const acceptedBefore = stack.accepted.length;

    // Act
    const response = await stack.http('PublishLambdaFunction', 'POST /events', {
      body: { events: [{ detailType: 'order.placed', context: {} }, { context: {} }] },
    });

    // Assess
    expect(response.statusCode).toBe(400);
    expect((response.body as { errors: string[] }).errors).toEqual([
      'events[0].context.brand is required for order.placed events (1-128 printable characters, no spaces): it keys the fair queue',
      'events[1].detailType must be a non-empty string of at most 128 characters',
    ]);
    expect(stack.accepted).toHaveLength(acceptedBefore);
  });
});
