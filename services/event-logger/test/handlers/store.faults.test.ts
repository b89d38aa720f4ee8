import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { FaultyHttpServer } from '@blueprints/fault-injection';
import type { LocalLambda } from '@blueprints/local-runtime';
import {
  createTablesFromTemplate,
  type LocalDynamoDb,
  type LocalS3,
  startLocalDynamoDb,
  startLocalS3,
} from '@blueprints/local-storage';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import type { StoredEvent } from '../../src/storage/storedEvent.js';
import {
  eventBridgeEventOf,
  httpApiEvent,
  REGION,
  sqsEvent,
  sqsRecord,
  storedEventFactory,
} from '../helpers/factories.js';
import { localFunctions, timedInvoke } from '../helpers/localHandlers.js';
import { LOCAL_CREDENTIALS, packagedResolver } from '../helpers/localTable.js';

const figures: string[] = [];
const THROTTLED = { kind: 'fail', status: 400, type: 'ProvisionedThroughputExceededException' } as const;

describe('Handlers: persist and query, against a faulty DynamoDB endpoint (real loopback server in front of dynalite)', () => {
  let ddb: LocalDynamoDb;
  let localS3: LocalS3;
  let dynamodb: DynamoDBClient;
  let proxy: FaultyHttpServer;
  let lambda: LocalLambda;
  let tableName: string;

  beforeAll(async () => {
    const resolver = await packagedResolver();
    ddb = await startLocalDynamoDb();
    dynamodb = new DynamoDBClient({ endpoint: ddb.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
    const [table] = await createTablesFromTemplate(resolver, dynamodb);
    if (!table) throw new Error('the template declares no table');
    tableName = table.tableName;
    localS3 = await startLocalS3();
    const s3 = new S3Client({
      endpoint: localS3.endpoint,
      forcePathStyle: true,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await s3.send(new CreateBucketCommand({ Bucket: resolver.physicalName('LargeEventsBucket') }));
    s3.destroy();
    proxy = await FaultyHttpServer.start({ target: ddb.endpoint });
    lambda = localFunctions(
      resolver,
      { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint, AWS_ENDPOINT_URL_S3: localS3.endpoint },
      'SILENT',
    );
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    dynamodb?.destroy();
    await localS3?.close();
    await ddb?.close();
    console.log(`persist and query, time to answer per fault:\n${figures.join('\n')}`);
  });

  async function storedIds(): Promise<string[]> {
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: tableName }));
    return Items.filter((i) => i.tenant?.S).map((i) => String(i.pk?.S));
  }

  describe('Handler: persist', () => {
    /** Persists three new events under `plan`; every record not reported failed must really be stored. */
    async function persistUnder(
      fault: string,
      plan: FaultyHttpServer['plan'],
      events = [1, 2, 3].map(() => storedEventFactory()),
    ) {
      proxy.plan = plan;
      proxy.calls = 0;
      const records = events.map((e) => sqsRecord(eventBridgeEventOf(e)));
      const { result, elapsedMs, timeoutMs } = await timedInvoke<SQSBatchResponse>(
        lambda,
        'PersistLambdaFunction',
        sqsEvent(records),
      );
      figures.push(
        `  persist, ${fault}: ${result.batchItemFailures.length} of ${records.length} records failed after ${elapsedMs} ms (timeout ${timeoutMs} ms, ${proxy.calls} calls)`,
      );
      proxy.plan = () => ({ kind: 'pass' });
      const failedIds = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      const stored = new Set(await storedIds());

      // Assess, for every fault: answered before the timeout; no record reported done that is not stored.
      expect(elapsedMs).toBeLessThan(timeoutMs);
      records.forEach((record, i) => {
        if (!failedIds.has(record.messageId)) expect(stored.has(String(events[i]?.id))).toBe(true);
      });
      return { events, records, failed: records.filter((r) => failedIds.has(r.messageId)), stored };
    }

    it('reports every record failed before the timeout when DynamoDB accepts and never answers', async () => {
      // Act
      const outcome = await persistUnder('stalled', () => ({ kind: 'stall' }));

      // Assess
      expect(outcome.failed).toHaveLength(3);
    }, 120_000);

    it('stores every record when each call takes 2 s', async () => {
      // Act
      const outcome = await persistUnder('slow (2 s per call)', () => ({ kind: 'slow', delayMs: 2_000 }));

      // Assess
      expect(outcome.failed).toHaveLength(0);
      for (const event of outcome.events) expect(outcome.stored.has(event.id)).toBe(true);
    }, 120_000);

    it('reports every record failed, storing none, when every call is throttled', async () => {
      // Act
      const outcome = await persistUnder('throttled (every call)', () => THROTTLED);

      // Assess
      expect(outcome.failed).toHaveLength(3);
      for (const event of outcome.events) expect(outcome.stored.has(event.id)).toBe(false);
    }, 120_000);

    it('reports records failed when the answers are dropped, and a redelivery stores each once', async () => {
      // Prepare
      const events = [1, 2, 3].map(() => storedEventFactory());

      // Act
      const dropped = await persistUnder('accept-then-drop (every call)', () => ({ kind: 'drop' }), events);
      const redelivered = await persistUnder('redelivery after drops', () => ({ kind: 'pass' }), events);

      // Assess
      expect(dropped.failed).toHaveLength(3);
      expect(redelivered.failed).toHaveLength(0);
      const ids = await storedIds();
      for (const event of events) expect(ids.filter((id) => id === event.id)).toHaveLength(1);
    }, 120_000);

    it('reports only the record whose writes fail in a partial failure', async () => {
      // Prepare
      const events = [1, 2, 3].map(() => storedEventFactory());
      const failing = String(events[1]?.id);

      // Act
      const outcome = await persistUnder(
        'partial failure (record 2 gets InternalServerError)',
        (_call, request) =>
          JSON.stringify(request.body).includes(failing)
            ? { kind: 'fail', status: 500, type: 'InternalServerError' }
            : { kind: 'pass' },
        events,
      );

      // Assess
      expect(outcome.failed.map((r) => r.messageId)).toEqual([outcome.records[1]?.messageId]);
      expect(outcome.stored.has(failing)).toBe(false);
    }, 120_000);
  });

  describe('Handler: query', () => {
    let stored: StoredEvent;

    beforeAll(async () => {
      stored = storedEventFactory();
      proxy.plan = () => ({ kind: 'pass' });
      const { batchItemFailures } = (await lambda.invoke(
        'PersistLambdaFunction',
        sqsEvent([sqsRecord(eventBridgeEventOf(stored))]),
      )) as SQSBatchResponse;
      expect(batchItemFailures).toHaveLength(0);
    }, 60_000);

    async function queryUnder(fault: string, plan: FaultyHttpServer['plan']) {
      proxy.plan = plan;
      proxy.calls = 0;
      const { result, elapsedMs, timeoutMs } = await timedInvoke<APIGatewayProxyStructuredResultV2>(
        lambda,
        'QueryLambdaFunction',
        httpApiEvent('GET /events', { query: { correlationId: stored.correlationId } }),
      );
      proxy.plan = () => ({ kind: 'pass' });
      figures.push(
        `  query, ${fault}: ${result.statusCode} after ${elapsedMs} ms (timeout ${timeoutMs} ms, ${proxy.calls} calls)`,
      );

      // Assess, for every fault: answered before the timeout, nothing internal in the body.
      expect(elapsedMs).toBeLessThan(timeoutMs);
      expect(String(result.body)).not.toMatch(/arn:aws|Role|Exception|dynamodb/i);
      return { statusCode: result.statusCode, body: JSON.parse(String(result.body)) as Record<string, unknown> };
    }

    it.each([
      ['stalled', () => ({ kind: 'stall' }) as const],
      ['throttled (every call)', () => THROTTLED],
      ['accept-then-drop (every call)', () => ({ kind: 'drop' }) as const],
      ['failing (HTTP 500 every call)', () => ({ kind: 'fail', status: 500, type: 'InternalServerError' }) as const],
    ])(
      'answers 503 before the timeout when DynamoDB is %s',
      async (fault, plan) => {
        // Act
        const outcome = await queryUnder(fault, plan);

        // Assess
        expect(outcome).toEqual({
          statusCode: 503,
          body: { message: 'The event store is unavailable; retry later' },
        });
      },
      60_000,
    );

    it('answers 200 with the events when each call takes 2 s', async () => {
      // Act
      const outcome = await queryUnder('slow (2 s per call)', () => ({ kind: 'slow', delayMs: 2_000 }));

      // Assess
      expect(outcome.statusCode).toBe(200);
      expect((outcome.body.items as StoredEvent[]).map((e) => e.id)).toEqual([stored.id]);
    }, 60_000);
  });
});
