import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import type { FaultyEventBridge } from '@blueprints/fault-injection';
import { Deadline } from '../../src/aws/Deadline.js';
import { EventPublisher, EventTooLargeError, eventEntrySize, PublishFailedError } from '../../src/events/index.js';
import { PUT_EVENTS_MAX_ENTRY_BYTES, PUT_EVENTS_MAX_REQUEST_BYTES } from '../../src/limits.js';
import {
  eventBridgeClient,
  type ReceivedEntry,
  sequenceNrs,
  useFaultyEventBridges,
} from '../helpers/faultyEventBridges.js';
import { CORRELATION_ID, payloadOfSize, seededRandom } from './helpers/factories.js';

const BUS = 'orders-bus';
const SOURCE = 'test.publisher';

const startBridge = useFaultyEventBridges();

/** A publisher on `bridge` that records its backoff waits instead of sleeping, one call at a time. */
function publisherFor(
  bridge: FaultyEventBridge<ReceivedEntry>,
  options: Partial<ConstructorParameters<typeof EventPublisher>[0]> = {},
) {
  const delays: number[] = [];
  const publisher = new EventPublisher({
    client: eventBridgeClient(bridge),
    concurrency: 1,
    eventBusName: BUS,
    source: SOURCE,
    correlationId: CORRELATION_ID,
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0.5,
    now: () => 1_767_225_600_000,
    ...options,
  });
  return { publisher, delays };
}

describe('Class: EventPublisher', () => {
  describe('Method: flush()', () => {
    it('sends 25 events in 3 PutEvents calls of 10, 10 and 5, in publish order', async () => {
      // Prepare
      const bridge = await startBridge();
      const { publisher } = publisherFor(bridge);
      for (let i = 1; i <= 25; i++) publisher.publish('order.placed', { orderId: `o-${i}` });

      // Act
      const published = await publisher.flush();

      // Assess
      expect(bridge.calls.map((c) => c.length)).toEqual([10, 10, 5]);
      expect(bridge.calls.flatMap(sequenceNrs)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(published.map((p) => p.sequenceNr)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(new Set(published.map((p) => p.eventId)).size).toBe(25);
      expect(bridge.calls[0]?.[0]).toMatchObject({ Source: SOURCE, DetailType: 'order.placed', EventBusName: BUS });
      expect(publisher.pending).toBe(0);
    });

    it('splits batches so no PutEvents request exceeds the request limit by AWS sizing rules', async () => {
      // Prepare
      const bridge = await startBridge();
      const { publisher } = publisherFor(bridge);
      for (let i = 0; i < 5; i++) publisher.publish('blob.stored', payloadOfSize(400 * 1024));

      // Act
      await publisher.flush();

      // Assess
      expect(bridge.calls.map((c) => c.length)).toEqual([2, 2, 1]);
      for (const call of bridge.calls) {
        const bytes = call.reduce((sum, e) => sum + eventEntrySize(e), 0);
        expect(bytes).toBeLessThanOrEqual(PUT_EVENTS_MAX_REQUEST_BYTES);
      }
      expect(bridge.calls.flatMap(sequenceNrs)).toEqual([1, 2, 3, 4, 5]);
    });

    it('retries only the failed entries until every entry is accepted', async () => {
      // Prepare
      const bridge = await startBridge((call) => ({
        kind: 'entries',
        entry: (entry) => {
          if (call === 1 && entry.sequenceNr === 2) return { errorCode: 'ThrottlingException' };
          if (call <= 2 && entry.sequenceNr === 5) return { errorCode: 'InternalFailure' };
          return 'ok';
        },
      }));
      const { publisher, delays } = publisherFor(bridge);
      for (let i = 1; i <= 8; i++) publisher.publish('order.placed', { orderId: `o-${i}` });

      // Act
      const published = await publisher.flush();

      // Assess
      expect(bridge.calls.map(sequenceNrs)).toEqual([[1, 2, 3, 4, 5, 6, 7, 8], [2, 5], [5]]);
      expect(published.map((p) => p.sequenceNr)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(bridge.accepted.map((a) => a.entry.sequenceNr ?? 0).sort((a, b) => a - b)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8,
      ]);
      expect(delays).toHaveLength(2);
    });

    it('loses and duplicates no event across retries of other entries under random partial failures', async () => {
      // Prepare
      const random = seededRandom(42);
      const bridge = await startBridge(() => ({
        kind: 'entries',
        entry: () => {
          const roll = random();
          if (roll < 0.2) return { errorCode: 'ThrottlingException' };
          if (roll < 0.3) return { errorCode: 'InternalFailure' };
          return 'ok';
        },
      }));
      const { publisher } = publisherFor(bridge, { retry: { maxAttempts: 20, baseDelayMs: 1, maxDelayMs: 5 } });
      for (let i = 1; i <= 57; i++) publisher.publish('order.placed', { orderId: `o-${i}` });

      // Act
      const published = await publisher.flush();

      // Assess
      const acceptedKeys = bridge.accepted.map((a) => a.entry.idempotencyKey);
      expect(acceptedKeys).toHaveLength(57);
      expect(new Set(acceptedKeys).size).toBe(57);
      expect(published.map((p) => p.sequenceNr)).toEqual(Array.from({ length: 57 }, (_, i) => i + 1));
      expect(bridge.calls.length).toBeGreaterThan(6);
      expect(bridge.calls.every((c) => c.length <= 10)).toBe(true);
    });

    it('surfaces a non-retryable failure with its entry at once, without retrying it', async () => {
      // Prepare
      const bridge = await startBridge(() => ({
        kind: 'entries',
        entry: (entry) =>
          entry.sequenceNr === 3 ? { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' } : 'ok',
      }));
      const { publisher, delays } = publisherFor(bridge);
      for (let i = 1; i <= 4; i++) publisher.publish('order.placed', { orderId: `o-${i}` }, { persist: i % 2 === 1 });

      // Act
      const error = await publisher.flush().catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(PublishFailedError);
      const failure = error as PublishFailedError;
      expect(bridge.calls).toHaveLength(1);
      expect(delays).toEqual([]);
      expect(failure.failed).toEqual([
        {
          detailType: 'order.placed',
          sequenceNr: 3,
          idempotencyKey: `${CORRELATION_ID}:3`,
          entry: expect.objectContaining({ Source: SOURCE, DetailType: 'order.placed', EventBusName: BUS }),
          errorCode: 'MalformedDetail',
          errorMessage: 'Detail is malformed.',
          attempts: 1,
        },
      ]);
      expect(JSON.parse(failure.failed[0]?.entry.Detail ?? '{}')).toMatchObject({
        sequenceNr: 3,
        persist: true,
        context: { orderId: 'o-3' },
      });
      expect(failure.published.map((p) => p.sequenceNr)).toEqual([1, 2, 4]);
      expect(failure.message).toContain('#3 order.placed: MalformedDetail');
    });

    it('does not retry a whole call rejected with AccessDeniedException', async () => {
      // Prepare
      const bridge = await startBridge(() => ({ kind: 'error', status: 400, type: 'AccessDeniedException' }));
      const { publisher } = publisherFor(bridge);
      publisher.publish('order.placed', { orderId: 'o-1' });
      publisher.publish('order.placed', { orderId: 'o-2' });

      // Act
      const error = (await publisher.flush().catch((e: unknown) => e)) as PublishFailedError;

      // Assess
      expect(bridge.calls).toHaveLength(1);
      expect(error.failed.map((f) => [f.sequenceNr, f.errorCode, f.attempts])).toEqual([
        [1, 'AccessDeniedException', 1],
        [2, 'AccessDeniedException', 1],
      ]);
    });

    it('retries a whole call that failed with a 5xx and then succeeds', async () => {
      // Prepare
      const bridge = await startBridge((call) =>
        call === 1 ? { kind: 'error', status: 500, type: 'InternalException' } : { kind: 'entries' },
      );
      const { publisher } = publisherFor(bridge);
      publisher.publish('order.placed', { orderId: 'o-1' });

      // Act
      const published = await publisher.flush();

      // Assess
      expect(bridge.calls.map(sequenceNrs)).toEqual([[1], [1]]);
      expect(published).toHaveLength(1);
      expect(bridge.accepted).toHaveLength(1);
    });

    it('backs off exponentially with full jitter, capped, and gives up after maxAttempts while throttled', async () => {
      // Prepare
      const bridge = await startBridge(() => ({
        kind: 'error',
        status: 400,
        type: 'ThrottlingException',
        message: 'Rate exceeded',
      }));
      const { publisher, delays } = publisherFor(bridge, {
        retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 500 },
        random: () => 0.999,
      });
      publisher.publish('order.placed', { orderId: 'o-1' });

      // Act
      const error = (await publisher.flush().catch((e: unknown) => e)) as PublishFailedError;

      // Assess
      expect(bridge.calls).toHaveLength(6);
      expect(delays).toEqual([99, 199, 399, 499, 499]);
      expect(error).toBeInstanceOf(PublishFailedError);
      expect(error.failed).toEqual([
        expect.objectContaining({ sequenceNr: 1, errorCode: 'ThrottlingException', attempts: 6 }),
      ]);
    });

    it('sends overlapping flushes one after the other, each with the events queued before it', async () => {
      // Prepare
      const bridge = await startBridge();
      const { publisher } = publisherFor(bridge);
      publisher.publish('a', {});

      // Act
      const first = publisher.flush();
      publisher.publish('b', {});
      publisher.publish('c', {});
      const second = publisher.flush();
      const results = await Promise.all([first, second]);

      // Assess
      expect(results.map((r) => r.map((p) => p.sequenceNr))).toEqual([[1], [2, 3]]);
      expect(bridge.calls.map(sequenceNrs)).toEqual([[1], [2, 3]]);
    });

    it('sends nothing and reports every event failed when its deadline has already passed', async () => {
      // Prepare
      const bridge = await startBridge();
      const { publisher } = publisherFor(bridge, { deadline: Deadline.in(500, { safetyMarginMs: 1_000 }) });
      publisher.publish('a', {});
      publisher.publish('b', {});

      // Act
      const outcomes = await publisher.flushOutcomes();
      publisher.publish('c', {});
      const thrown = (await publisher.flush().catch((e: unknown) => e)) as PublishFailedError;

      // Assess
      expect(outcomes.published).toEqual([]);
      expect(outcomes.unknown).toEqual([]);
      expect(outcomes.failed.map((f) => [f.sequenceNr, f.errorCode, f.attempts])).toEqual([
        [1, 'DeadlineExceeded', 0],
        [2, 'DeadlineExceeded', 0],
      ]);
      expect(thrown).toBeInstanceOf(PublishFailedError);
      expect(thrown.failed.map((f) => f.sequenceNr)).toEqual([3]);
      expect(bridge.calls).toHaveLength(0);
    });

    it('reports a network failure (no bus reachable) after bounded retries', async () => {
      // Prepare: a real client aimed at a local port nothing listens on
      const { EventBridgeClient } = await import('@aws-sdk/client-eventbridge');
      const server = createServer().listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      await new Promise((resolve) => server.close(resolve));
      const client = new EventBridgeClient({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
      const delays: number[] = [];
      const publisher = new EventPublisher({
        client,
        eventBusName: BUS,
        source: SOURCE,
        retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
        sleep: async (ms) => {
          delays.push(ms);
        },
      });
      publisher.publish('order.placed', { orderId: 'o-1' });

      // Act
      const error = (await publisher.flush().catch((e: unknown) => e)) as PublishFailedError;

      // Assess
      expect(error).toBeInstanceOf(PublishFailedError);
      expect(error.failed[0]).toMatchObject({ errorCode: 'ECONNREFUSED', attempts: 3 });
      expect(delays).toHaveLength(2);
    });
  });

  describe('Method: publish()', () => {
    it('rejects an event over the entry limit before anything is sent and keeps sequence numbers gapless', async () => {
      // Prepare
      const bridge = await startBridge();
      const { publisher } = publisherFor(bridge);
      publisher.publish('order.placed', { orderId: 'o-1' });

      // Act
      const act = () => publisher.publish('blob.stored', payloadOfSize(PUT_EVENTS_MAX_ENTRY_BYTES));

      // Assess
      expect(act).toThrow(EventTooLargeError);
      expect(act).toThrow(/"blob\.stored" is \d+ bytes .* entry limit \(PUT_EVENTS_MAX_ENTRY_BYTES\) is 1048576 bytes/);
      expect(bridge.calls).toHaveLength(0);
      expect(publisher.pending).toBe(1);
      const next = publisher.publish('order.placed', { orderId: 'o-2' });
      expect(next.envelope.sequenceNr).toBe(2);
      await publisher.flush();
      expect(bridge.calls.map(sequenceNrs)).toEqual([[1, 2]]);
    });

    it('wraps the context in an envelope with defaults and honours a given idempotency key', async () => {
      // Prepare
      const bridge = await startBridge();
      const { publisher } = publisherFor(bridge);

      // Act
      const first = publisher.publish('order.placed', { brand: 'A' });
      const second = publisher.publish('order.placed', { brand: 'B' }, { idempotencyKey: 'order-42', persist: true });

      // Assess
      expect(first.envelope).toEqual({
        createdAt: 1_767_225_600_000,
        correlationId: CORRELATION_ID,
        sequenceNr: 1,
        idempotencyKey: `${CORRELATION_ID}:1`,
        persist: false,
        context: { brand: 'A' },
      });
      expect(second.envelope).toMatchObject({ sequenceNr: 2, idempotencyKey: 'order-42', persist: true });
    });

    it('continues the sequence across flushes of the same publisher', async () => {
      // Prepare
      const bridge = await startBridge();
      const { publisher } = publisherFor(bridge);
      publisher.publish('a', {});
      await publisher.flush();

      // Act
      publisher.publish('b', {});
      const published = await publisher.flush();

      // Assess
      expect(published.map((p) => p.sequenceNr)).toEqual([2]);
      expect(bridge.calls.map(sequenceNrs)).toEqual([[1], [2]]);
    });

    it('generates a UUID correlation id when none is given and rejects one that is not a UUID', async () => {
      // Prepare
      const bridge = await startBridge();

      // Act
      const publisher = new EventPublisher({ client: eventBridgeClient(bridge), eventBusName: BUS, source: SOURCE });

      // Assess
      expect(publisher.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(
        () =>
          new EventPublisher({
            client: eventBridgeClient(bridge),
            eventBusName: BUS,
            source: SOURCE,
            correlationId: 'nope',
          }),
      ).toThrow(/detail\.correlationId must be a UUID/);
    });
  });
});
