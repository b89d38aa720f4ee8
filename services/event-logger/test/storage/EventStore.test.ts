import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventStore } from '../../src/storage/EventStore.js';
import { storedEventFactory } from '../helpers/factories.js';
import { startEventsTable } from '../helpers/localTable.js';

describe('Class: EventStore', () => {
  let table: Awaited<ReturnType<typeof startEventsTable>>;
  let store: EventStore;

  beforeAll(async () => {
    table = await startEventsTable();
    store = new EventStore(table.client, table.tableName, {
      idempotencyTtlSeconds: 3600,
      now: () => 1_767_225_600_000,
    });
  }, 120_000);

  afterAll(async () => {
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
      expect(await store.get(event.id)).toEqual(event);
    });

    it('skips a different event that carries an idempotency key already stored', async () => {
      // Prepare: a producer retried PutEvents after a lost response, so EventBridge holds two ids for one key
      const original = storedEventFactory({ idempotencyKey: 'order-77' });
      const retried = { ...original, id: storedEventFactory().id };

      // Act
      const outcomes = [await store.saveOnce(original), await store.saveOnce(retried)];

      // Assess
      expect(outcomes).toEqual(['written', 'duplicate']);
      expect(await store.get(retried.id)).toBeUndefined();
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
        new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: 'idempotency#order-crash' } } }),
      );
      expect(claim.Item?.eventId?.S).toBe(event.id);
      expect(Number(claim.Item?.expiresAt?.N)).toBe(1_767_225_600 + 3600);
    });
  });

  describe('Method: byCorrelation()', () => {
    it('pages through the events of one request in sequence order', async () => {
      // Prepare: stored out of order, as at-least-once unordered delivery would
      const correlationId = storedEventFactory().correlationId;
      const events = [4, 1, 5, 3, 2].map((sequenceNr) => storedEventFactory({ correlationId, sequenceNr }));
      for (const e of events) await store.saveOnce(e);
      await store.saveOnce(storedEventFactory());

      // Act
      const first = await store.byCorrelation(correlationId, { limit: 2 });
      const second = await store.byCorrelation(correlationId, {
        limit: 2,
        ...(first.nextToken ? { nextToken: first.nextToken } : {}),
      });
      const third = await store.byCorrelation(correlationId, {
        limit: 2,
        ...(second.nextToken ? { nextToken: second.nextToken } : {}),
      });

      // Assess
      expect([first, second, third].map((p) => p.items.map((e) => e.sequenceNr))).toEqual([[1, 2], [3, 4], [5]]);
      expect(first.nextToken).toEqual(expect.any(String));
      expect(third.items[0]?.correlationId).toBe(correlationId);
    });
  });

  describe('Method: byDetailType()', () => {
    it('returns the events of one detail-type oldest first', async () => {
      // Prepare
      const detailType = `shipment.sent.${Date.now()}`;
      for (const createdAt of [30, 10, 20]) await store.saveOnce(storedEventFactory({ detailType, createdAt }));

      // Act
      const page = await store.byDetailType(detailType, { limit: 10 });

      // Assess
      expect(page.items.map((e) => e.createdAt)).toEqual([10, 20, 30]);
      expect(page.nextToken).toBeUndefined();
    });
  });
});
