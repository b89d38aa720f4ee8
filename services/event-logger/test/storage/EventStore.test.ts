import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type LocalS3, startLocalS3 } from '@blueprints/local-storage';
import { EventStore, idempotencyClaimKey } from '../../src/storage/EventStore.js';
import { EventTooLargeToStoreError, INLINE_BODY_MAX_BYTES, largeBodyKey } from '../../src/storage/eventBody.js';
import { S3EventBodies } from '../../src/storage/S3EventBodies.js';
import { incompressibleText, REGION, storedEventFactory } from '../helpers/factories.js';
import { LOCAL_CREDENTIALS, startEventsTable } from '../helpers/localTable.js';

describe('Class: EventStore', () => {
  let table: Awaited<ReturnType<typeof startEventsTable>>;
  let localS3: LocalS3;
  let s3: S3Client;
  let store: EventStore;
  const bucket = 'large-events';

  beforeAll(async () => {
    table = await startEventsTable();
    localS3 = await startLocalS3();
    s3 = new S3Client({
      endpoint: localS3.endpoint,
      forcePathStyle: true,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    store = new EventStore(table.client, table.tableName, {
      idempotencyTtlSeconds: 3600,
      largeBodies: new S3EventBodies(s3, bucket),
      now: () => 1_767_225_600_000,
    });
  }, 120_000);

  afterAll(async () => {
    s3?.destroy();
    await localS3?.close();
    await table?.close();
  });

  describe('Method: saveOnce()', () => {
    it('writes an event once and reports a redelivery of it as a duplicate', async () => {
      // Prepare
      const event = storedEventFactory();

      // Act
      const first = await store.saveOnce(event);
      const second = await store.saveOnce(event);

      // Assess
      expect([first, second]).toEqual(['written', 'duplicate']);
      expect(await store.get('A', event.id)).toEqual(event);
    });

    it('stores the events of two tenants that chose the same idempotency key, each under its own tenant', async () => {
      // Prepare
      const ofA = storedEventFactory({ idempotencyKey: 'order-1', context: { brand: 'A', orderId: 'a' } });
      const ofB = storedEventFactory({ idempotencyKey: 'order-1', context: { brand: 'B', orderId: 'b' } });

      // Act
      const outcomes = [await store.saveOnce(ofA), await store.saveOnce(ofB)];

      // Assess
      expect(outcomes).toEqual(['written', 'written']);
      expect(await store.get('A', ofA.id)).toEqual(ofA);
      expect(await store.get('B', ofB.id)).toEqual(ofB);
    });

    it('keeps sources apart too: the same key from two producers of one tenant is two events', async () => {
      // Prepare
      const fromApi = storedEventFactory({ idempotencyKey: 'k-1', source: 'blueprints.event-logger' });
      const fromBilling = storedEventFactory({ idempotencyKey: 'k-1', source: 'billing' });

      // Act
      const outcomes = [await store.saveOnce(fromApi), await store.saveOnce(fromBilling)];

      // Assess
      expect(outcomes).toEqual(['written', 'written']);
    });

    it('skips a different event that carries an idempotency key already stored', async () => {
      // Prepare: a producer retried PutEvents after a lost response, so EventBridge holds two ids for one key
      const original = storedEventFactory({ idempotencyKey: 'order-77' });
      const retried = { ...original, id: storedEventFactory().id };

      // Act
      const outcomes = [await store.saveOnce(original), await store.saveOnce(retried)];

      // Assess
      expect(outcomes).toEqual(['written', 'duplicate']);
      expect(await store.get('A', retried.id)).toBeUndefined();
    });

    it('writes the event when a redelivery finds its own claim but no event (crash between the two writes)', async () => {
      // Prepare: claim the key as step 1 would, then "crash"
      const event = storedEventFactory({ idempotencyKey: 'order-crash' });
      const claimOnly = new EventStore(
        {
          send: (command) =>
            (command.input as { Item?: { eventId?: unknown } }).Item?.eventId
              ? table.client.send(command)
              : Promise.reject(new Error('crash')),
        } as Pick<typeof table.client, 'send'>,
        table.tableName,
      );
      await expect(claimOnly.saveOnce(event)).rejects.toThrow('crash');

      // Act
      const outcome = await store.saveOnce(event);

      // Assess
      expect(outcome).toBe('written');
      const claim = await table.client.send(
        new GetItemCommand({
          TableName: table.tableName,
          Key: { pk: { S: idempotencyClaimKey('A', event.source, 'order-crash') } },
        }),
      );
      expect(claim.Item?.eventId?.S).toBe(event.id);
      expect(Number(claim.Item?.expiresAt?.N)).toBe(1_767_225_600 + 3600);
    });
  });

  describe('Method: saveOnce() with large events', () => {
    it('stores an event larger than an item gzipped in the item when that fits', async () => {
      // Prepare: 900 KB of JSON that compresses well
      const event = storedEventFactory({ context: { brand: 'A', lines: 'order line;'.repeat((900 * 1024) / 11) } });

      // Act
      const outcome = await store.saveOnce(event);

      // Assess
      expect(outcome).toBe('written');
      const { Item } = await table.client.send(
        new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: event.id } } }),
      );
      expect(Item?.event).toBeUndefined();
      expect(Item?.eventGzip?.B?.length).toBeLessThanOrEqual(INLINE_BODY_MAX_BYTES);
      expect(await store.get('A', event.id)).toEqual(event);
    });

    it('puts the body in S3 and a pointer in the item when even gzipped it does not fit (claim check)', async () => {
      // Prepare
      const event = storedEventFactory({ context: { brand: 'B', blob: incompressibleText(900 * 1024) } });

      // Act
      const outcome = await store.saveOnce(event);
      const redelivered = await store.saveOnce(event);

      // Assess
      expect([outcome, redelivered]).toEqual(['written', 'duplicate']);
      const { Item } = await table.client.send(
        new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: event.id } } }),
      );
      expect(Item?.eventS3Key?.S).toBe(largeBodyKey('B', event.id));
      expect(await store.get('B', event.id)).toEqual(event);
      expect(await store.get('A', event.id)).toBeUndefined();
    });

    it('fails with EventTooLargeToStoreError, writing no event item, when no bucket is configured', async () => {
      // Prepare
      const withoutBucket = new EventStore(table.client, table.tableName);
      const event = storedEventFactory({ context: { brand: 'A', blob: incompressibleText(700 * 1024) } });

      // Act
      const error = await withoutBucket.saveOnce(event).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(EventTooLargeToStoreError);
      expect(await store.get('A', event.id)).toBeUndefined();
    });
  });

  describe('Method: get()', () => {
    it("returns undefined for another tenant's event, as for a missing one", async () => {
      // Prepare
      const event = storedEventFactory({ context: { brand: 'A' } });
      await store.saveOnce(event);

      // Act
      const asB = await store.get('B', event.id);

      // Assess
      expect(asB).toBeUndefined();
    });
  });

  describe('Method: byCorrelation()', () => {
    it('pages through the events of one request in sequence order', async () => {
      // Prepare: stored out of order, as at-least-once unordered delivery would
      const correlationId = storedEventFactory().correlationId;
      const events = [4, 1, 5, 3, 2].map((sequenceNr) => storedEventFactory({ correlationId, sequenceNr }));
      for (const e of events) await store.saveOnce(e);
      await store.saveOnce(storedEventFactory());
      // Another tenant reusing the correlationId (clients may choose it) stays out of tenant A's pages.
      await store.saveOnce(storedEventFactory({ correlationId, sequenceNr: 6, context: { brand: 'B' } }));

      // Act
      const first = await store.byCorrelation('A', correlationId, { limit: 2 });
      const second = await store.byCorrelation('A', correlationId, {
        limit: 2,
        ...(first.nextToken ? { nextToken: first.nextToken } : {}),
      });
      const third = await store.byCorrelation('A', correlationId, {
        limit: 2,
        ...(second.nextToken ? { nextToken: second.nextToken } : {}),
      });

      // Assess
      expect([first, second, third].map((p) => p.items.map((e) => e.sequenceNr))).toEqual([[1, 2], [3, 4], [5]]);
      expect(first.nextToken).toEqual(expect.any(String));
      expect(third.items[0]?.correlationId).toBe(correlationId);
    });
  });

  describe('Method: byCorrelation() with large events', () => {
    it('ends a page before its JSON outgrows the page budget and continues after the last event taken', async () => {
      // Prepare: three claim-checked events of ~700 KB, a page budget of 1.5 MB
      const correlationId = storedEventFactory().correlationId;
      const events = [1, 2, 3].map((sequenceNr) =>
        storedEventFactory({
          correlationId,
          sequenceNr,
          context: { brand: 'A', blob: incompressibleText(700 * 1024) },
        }),
      );
      for (const e of events) await store.saveOnce(e);
      const smallPages = new EventStore(table.client, table.tableName, {
        largeBodies: new S3EventBodies(s3, bucket),
        maxPageBytes: 1_500_000,
      });

      // Act
      const first = await smallPages.byCorrelation('A', correlationId, { limit: 100 });
      const second = await smallPages.byCorrelation('A', correlationId, {
        limit: 100,
        ...(first.nextToken ? { nextToken: first.nextToken } : {}),
      });

      // Assess
      expect([first, second].map((p) => p.items.map((e) => e.sequenceNr))).toEqual([[1, 2], [3]]);
      expect(second.nextToken).toBeUndefined();
      expect(second.items[0]).toEqual(events[2]);
    });
  });

  describe('Method: byDetailType()', () => {
    it('returns the events of one detail-type oldest first', async () => {
      // Prepare
      const detailType = `shipment.sent.${Date.now()}`;
      for (const createdAt of [30, 10, 20]) await store.saveOnce(storedEventFactory({ detailType, createdAt }));

      // Act
      const page = await store.byDetailType('A', detailType, { limit: 10 });

      // Assess
      expect(page.items.map((e) => e.createdAt)).toEqual([10, 20, 30]);
      expect(page.nextToken).toBeUndefined();
    });
  });
});
