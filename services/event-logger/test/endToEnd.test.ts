import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { EventBridgeEvent, LocalEventBridge, LocalFirehose } from '@blueprints/local-eventbridge';
import { type LocalLambda, sourceHandlerLoader } from '@blueprints/local-runtime';
import type { LocalSqs, QueueTriggers } from '@blueprints/local-sqs';
import { type LocalStack, startLocalStack } from '@blueprints/local-stack';
import type { TemplateResolver } from '@blueprints/packaging';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { StoredEvent } from '../src/storage/storedEvent.js';
import { ACCOUNT_ID, httpApiEvent, incompressibleText, REGION, tenantSessionArn } from './helpers/factories.js';
import { SERVICE_DIR } from './helpers/localTable.js';

interface PublishBody {
  correlationId: string;
  events: Array<{ eventId: string; detailType: string; sequenceNr: number; idempotencyKey: string }>;
}

/** The whole service on local stand-ins, wired from its packaged template. */
class LocalEventLogger {
  readonly accepted: EventBridgeEvent[] = [];
  readonly brandConsumerCalls: Array<{ event: SQSEvent; response: SQSBatchResponse }> = [];
  readonly bus: LocalEventBridge;
  readonly sqs: LocalSqs;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;

  constructor(
    readonly resolver: TemplateResolver,
    readonly lambda: LocalLambda,
    private readonly local: LocalStack,
    readonly triggers: QueueTriggers,
    readonly firehose: LocalFirehose,
  ) {
    this.bus = local.bus;
    this.sqs = local.sqs;
    this.s3 = local.clients.s3;
    this.dynamodb = local.clients.dynamodb;
  }

  /** The service as `pnpm dev` runs it (startLocalStack with its folder), its functions from source. */
  static async start(): Promise<LocalEventLogger> {
    const local = await startLocalStack({
      services: [SERVICE_DIR],
      region: REGION,
      accountId: ACCOUNT_ID,
      logLevel: 'WARN',
      handlerLoader: (service) => sourceHandlerLoader(service.dir),
    });
    const [service] = local.services;
    if (!service) throw new Error('startLocalStack wired no service');
    const stack = new LocalEventLogger(service.resolver, service.lambda, local, service.triggers, service.firehose);
    local.bus.onEvent((event) => stack.accepted.push(event));
    stack.observeBrandConsumer();
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
    await this.local.settle();
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
    await this.local.close();
  }
}

/** Tenant A's request: brands come from the caller's identity, never from the body. */
const THREE_EVENTS = {
  events: [
    { detailType: 'order.placed', context: { orderId: 'a-1', total: 42.5 }, persist: true },
    { detailType: 'order.placed', context: { orderId: 'a-2', total: 9.99 }, persist: true },
    { detailType: 'cart.viewed', context: { cartId: 'c-1' } },
  ],
};
/** Tenant B's request, sent with tenant A's correlationId: its default idempotency key equals A's first. */
const ONE_EVENT_OF_B = { detailType: 'order.placed', context: { orderId: 'b-1', total: 5 }, persist: true };

const AS_A = { caller: tenantSessionArn('A') };
const AS_B = { caller: tenantSessionArn('B') };

describe('event-logger end to end (local stand-ins wired from the packaged template)', () => {
  let stack: LocalEventLogger;
  let published: PublishBody;
  let publishedOfB: PublishBody;

  beforeAll(async () => {
    stack = await LocalEventLogger.start();
    const response = await stack.http('PublishLambdaFunction', 'POST /events', { body: THREE_EVENTS, ...AS_A });
    expect(response.statusCode).toBe(200);
    published = response.body as PublishBody;
    const ofB = await stack.http('PublishLambdaFunction', 'POST /events', {
      body: ONE_EVENT_OF_B,
      headers: { 'x-correlation-id': published.correlationId },
      ...AS_B,
    });
    expect(ofB.statusCode).toBe(200);
    publishedOfB = ofB.body as PublishBody;
    await stack.settle();
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
  });

  it("publishes tenant A's three events under one correlationId, numbered in request order, branded A", () => {
    // Assess
    expect(published.events.map((e) => [e.sequenceNr, e.detailType])).toEqual([
      [1, 'order.placed'],
      [2, 'order.placed'],
      [3, 'cart.viewed'],
    ]);
    const ofA = stack.accepted.filter((e) => (e.detail.context as { brand?: string }).brand === 'A');
    expect(ofA.map((e) => e.id).sort()).toEqual(published.events.map((e) => e.eventId).sort());
    expect(ofA.every((e) => e.detail.correlationId === published.correlationId)).toBe(true);
  });

  it('stores the events of two tenants that carry the same idempotency key, each for its own tenant', async () => {
    // Prepare
    const [firstOfA] = published.events;
    const [firstOfB] = publishedOfB.events;

    // Act
    const asA = await stack.http('QueryLambdaFunction', 'GET /events/{id}', {
      pathParameters: { id: String(firstOfA?.eventId) },
      ...AS_A,
    });
    const asB = await stack.http('QueryLambdaFunction', 'GET /events/{id}', {
      pathParameters: { id: String(firstOfB?.eventId) },
      ...AS_B,
    });

    // Assess
    expect(firstOfB?.idempotencyKey).toBe(firstOfA?.idempotencyKey);
    expect([asA.statusCode, asB.statusCode]).toEqual([200, 200]);
    expect(asA.body).toMatchObject({ id: firstOfA?.eventId, context: { brand: 'A', orderId: 'a-1' } });
    expect(asB.body).toMatchObject({ id: firstOfB?.eventId, context: { brand: 'B', orderId: 'b-1' } });
    const eventItems = (await stack.tableItems()).filter((i) => i.tenant?.S);
    expect(eventItems.map((i) => i.tenant?.S).sort()).toEqual(['A', 'A', 'B']);
  });

  it("stores tenant A's two persisted events, queryable by correlationId in sequence order", async () => {
    // Prepare
    const [first, second] = published.events;

    // Act
    const page = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { correlationId: published.correlationId },
      ...AS_A,
    });

    // Assess
    expect(page.statusCode).toBe(200);
    const items = (page.body as { items: StoredEvent[] }).items;
    expect(items.map((e) => [e.sequenceNr, e.id, e.context.brand])).toEqual([
      [1, first?.eventId, 'A'],
      [2, second?.eventId, 'A'],
    ]);
  });

  it("does not let tenant B read tenant A's events, by id, by correlationId or by detail-type", async () => {
    // Act
    const byId = await stack.http('QueryLambdaFunction', 'GET /events/{id}', {
      pathParameters: { id: String(published.events[0]?.eventId) },
      ...AS_B,
    });
    const byCorrelation = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { correlationId: published.correlationId },
      ...AS_B,
    });
    const byDetailType = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { detailType: 'order.placed' },
      ...AS_B,
    });

    // Assess
    expect(byId.statusCode).toBe(404);
    expect(byId.body).toEqual({ message: `No event ${published.events[0]?.eventId}` });
    const brands = (page: { body: unknown }) =>
      (page.body as { items: StoredEvent[] }).items.map((e) => e.context.brand);
    expect(brands(byCorrelation)).toEqual(['B']);
    expect(brands(byDetailType)).toEqual(['B']);
  });

  it('answers 403 to a caller that is not a tenant and publishes nothing', async () => {
    // Prepare
    const acceptedBefore = stack.accepted.length;

    // Act
    const unsigned = await stack.http('PublishLambdaFunction', 'POST /events', { body: ONE_EVENT_OF_B, caller: null });
    const admin = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { detailType: 'order.placed' },
      caller: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/Admin/session`,
    });

    // Assess
    expect([unsigned.statusCode, admin.statusCode]).toEqual([403, 403]);
    expect(admin.body).toEqual({ message: 'Forbidden', errors: ["the caller's role is not a tenant role"] });
    expect(stack.accepted).toHaveLength(acceptedBefore);
  });

  it('pages through a correlationId with an opaque nextToken; a foreign or tampered token gets 400', async () => {
    // Act
    const first = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { correlationId: published.correlationId, limit: '1' },
      ...AS_A,
    });
    const token = String((first.body as { nextToken?: string }).nextToken);
    const second = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { correlationId: published.correlationId, limit: '1', nextToken: token },
      ...AS_A,
    });
    const foreign = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { detailType: 'order.placed', nextToken: token },
      ...AS_A,
    });
    const asB = await stack.http('QueryLambdaFunction', 'GET /events', {
      query: { correlationId: published.correlationId, nextToken: token },
      ...AS_B,
    });
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, { S?: string }>;
    const tampered = await Promise.all(
      [
        Buffer.from(JSON.stringify({ ...key, sequenceNr: { N: 'NaN' } })).toString('base64url'),
        Buffer.from(JSON.stringify({ ...key, tenantCorrelation: { S: `B#${published.correlationId}` } })).toString(
          'base64url',
        ),
        `${token.slice(0, -2)}!!`,
        token.slice(0, token.length / 2),
      ].map((nextToken) =>
        stack.http('QueryLambdaFunction', 'GET /events', {
          query: { correlationId: published.correlationId, nextToken },
          ...AS_A,
        }),
      ),
    );

    // Assess
    expect((first.body as { items: StoredEvent[] }).items.map((e) => e.sequenceNr)).toEqual([1]);
    expect((second.body as { items: StoredEvent[] }).items.map((e) => e.sequenceNr)).toEqual([2]);
    for (const response of [foreign, asB, ...tampered]) {
      expect(response.statusCode).toBe(400);
      expect(response.body).toEqual({ message: 'nextToken is invalid or belongs to a different query' });
    }
  });

  it('archives the persisted events as NDJSON in local S3 under a date-partitioned prefix', async () => {
    // Act
    const lines = await stack.archivedLines();
    const keys = stack.firehose.objects.map((o) => o.key);

    // Assess
    const archived = lines.map((line) => JSON.parse(line) as EventBridgeEvent);
    expect(archived.map((e) => e.id).sort()).toEqual(
      [...published.events.slice(0, 2), ...publishedOfB.events].map((e) => e.eventId).sort(),
    );
    expect(archived.every((e) => e.detail.persist === true && e['detail-type'] === 'order.placed')).toBe(true);
    expect(keys.every((k) => /^events\/year=\d{4}\/month=\d{2}\/day=\d{2}\//.test(k))).toBe(true);
  });

  it('delivers the order events of tenants A and B to brandConsumer with their MessageGroupId', () => {
    // Assess
    const records = stack.brandConsumerCalls.flatMap((c) => c.event.Records);
    expect(
      records.map((r) => [r.attributes.MessageGroupId, (JSON.parse(r.body) as EventBridgeEvent).detail.context]).sort(),
    ).toEqual([
      ['A', { brand: 'A', orderId: 'a-1', total: 42.5 }],
      ['A', { brand: 'A', orderId: 'a-2', total: 9.99 }],
      ['B', { brand: 'B', orderId: 'b-1', total: 5 }],
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
    const persistRuns = stack.triggers.invocations.filter((i) => i.queueName === persistQueue);
    expect(persistRuns.flatMap((i) => i.messageIds)).toHaveLength(persistedMessagesBefore + persisted.length);
    expect(persistRuns.every((i) => i.outcome === 'success')).toBe(true);
  });

  it('writes once when a client retries the whole request with the same x-correlation-id', async () => {
    // Prepare
    const before = await stack.tableItems();

    // Act: new EventBridge events (new ids), same default idempotency keys
    const retry = await stack.http('PublishLambdaFunction', 'POST /events', {
      body: THREE_EVENTS,
      headers: { 'x-correlation-id': published.correlationId },
      ...AS_A,
    });
    await stack.settle();

    // Assess
    expect(retry.statusCode).toBe(200);
    const retried = retry.body as PublishBody;
    expect(retried.events.map((e) => e.idempotencyKey)).toEqual(published.events.map((e) => e.idempotencyKey));
    expect(retried.events[0]?.eventId).not.toBe(published.events[0]?.eventId);
    expect(await stack.tableItems()).toHaveLength(before.length);
  });

  it('answers 400 with every problem for an invalid request, publishing nothing', async () => {
    // Prepare
    const acceptedBefore = stack.accepted.length;

    // Act
    const response = await stack.http('PublishLambdaFunction', 'POST /events', {
      body: { events: [{ detailType: 'order.placed', context: { brand: 'B' } }, { context: {} }] },
      ...AS_A,
    });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual({
      message: 'Invalid request',
      errors: [
        'events[0].context.brand must be your tenant (A) or left out: it is set from your identity',
        'events[1].detailType must be a non-empty string of at most 128 characters',
      ],
    });
    expect(stack.accepted).toHaveLength(acceptedBefore);
  });

  describe('a 900 KB event (EventBridge and SQS take 1 MiB; a DynamoDB item only 400 KB)', () => {
    const KB_900 = 900 * 1024;

    async function publishAndRead(context: Record<string, unknown>) {
      const response = await stack.http('PublishLambdaFunction', 'POST /events', {
        body: { detailType: 'document.stored', context, persist: true },
        ...AS_A,
      });
      expect(response.statusCode).toBe(200);
      const [event] = (response.body as PublishBody).events;
      await stack.settle();
      const read = await stack.http('QueryLambdaFunction', 'GET /events/{id}', {
        pathParameters: { id: String(event?.eventId) },
        ...AS_A,
      });
      const item = (await stack.tableItems()).find((i) => i.pk?.S === event?.eventId);
      return { eventId: String(event?.eventId), read, item };
    }

    it('travels the bus and the persist queue, and is stored gzipped in the item when that fits', async () => {
      // Prepare: 900 KB of repetitive JSON
      const lines = 'sku-0001 x1;'.repeat(KB_900 / 12);

      // Act
      const { read, item } = await publishAndRead({ lines });

      // Assess
      expect(read.statusCode).toBe(200);
      expect((read.body as StoredEvent).context).toEqual({ brand: 'A', lines });
      expect(item?.event).toBeUndefined();
      expect(item?.eventGzip?.B?.length).toBeLessThan(400 * 1024);
    }, 120_000);

    it('is stored in S3 with a pointer in the item when even gzipped it exceeds the item limit (claim check)', async () => {
      // Prepare: 900 KB that gzip cannot shrink below 400 KB
      const blob = incompressibleText(KB_900);

      // Act
      const { eventId, read, item } = await publishAndRead({ blob });

      // Assess: readable in full through the API, archived in full, never dead-lettered
      expect(read.statusCode).toBe(200);
      expect((read.body as StoredEvent).context).toEqual({ brand: 'A', blob });
      expect(item?.eventS3Key?.S).toBe(`events/A/${eventId}.json.gz`);
      const archived = (await stack.archivedLines()).map((line) => JSON.parse(line) as EventBridgeEvent);
      expect(archived.find((e) => e.id === eventId)?.detail.context).toEqual({ brand: 'A', blob });
      for (const queue of ['PersistDlq', 'UndeliveredEventsQueue']) {
        const messages = await stack.sqs.receiveMessages(stack.resolver.physicalName(queue), {
          maxNumberOfMessages: 10,
        });
        expect(messages).toHaveLength(0);
      }
    }, 120_000);
  });
});
