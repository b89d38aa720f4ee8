import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { Deadline } from '../../src/aws/Deadline.js';
import { EventPublisher, EventTooLargeError, eventEntrySize, sendPutEvents } from '../../src/events/index.js';
import { PUT_EVENTS_MAX_ENTRY_BYTES, PUT_EVENTS_MAX_REQUEST_BYTES } from '../../src/limits.js';
import { eventBridgeClient, useFaultyEventBridges } from '../helpers/faultyEventBridges.js';
import { CORRELATION_ID, payloadOfSize } from './helpers/factories.js';

/** An entry whose `eventEntrySize` is exactly `bytes` (Source 'test' + DetailType 'blob' + a JSON Detail). */
function entryOfSize(bytes: number, sequenceNr = 1): PutEventsRequestEntry {
  const skeleton = { EventBusName: 'bus', Source: 'test', DetailType: 'blob' };
  const emptyDetail = JSON.stringify({ sequenceNr, idempotencyKey: `k-${sequenceNr}`, blob: '' });
  const fill = bytes - eventEntrySize({ ...skeleton, Detail: emptyDetail });
  return {
    ...skeleton,
    Detail: JSON.stringify({ sequenceNr, idempotencyKey: `k-${sequenceNr}`, blob: 'x'.repeat(fill) }),
  };
}

const noSleep = async () => undefined;

/** One entry sent with no backoff wait and attempts to spare, so only the deadline stops the retries. */
function sendUntil(deadline: Deadline, bridge: Parameters<typeof eventBridgeClient>[0]) {
  return sendPutEvents(eventBridgeClient(bridge), [entryOfSize(200, 1)], {
    deadline,
    sleep: noSleep,
    random: () => 0,
    retry: { maxAttempts: 100 },
  });
}

const throttledAfter = (attempts: number) => [
  { status: 'failed', errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded', attempts },
];

const startBridge = useFaultyEventBridges();

describe('Function: sendPutEvents()', () => {
  it('returns one outcome per entry, in the order given', async () => {
    // Prepare
    const bridge = await startBridge(() => ({
      kind: 'entries',
      entry: (e) =>
        e.sequenceNr === 2 ? { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' } : 'ok',
    }));
    const entries = [1, 2, 3].map((n) => entryOfSize(200, n));

    // Act
    const outcomes = await sendPutEvents(eventBridgeClient(bridge), entries, { sleep: noSleep });

    // Assess
    expect(outcomes).toEqual([
      { status: 'published', eventId: bridge.accepted[0]?.eventId, attempts: 1 },
      { status: 'failed', errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.', attempts: 1 },
      { status: 'published', eventId: bridge.accepted[1]?.eventId, attempts: 1 },
    ]);
  });

  it('sends an entry of exactly the entry limit alone, and refuses one byte more before sending anything', async () => {
    // Prepare
    const bridge = await startBridge();
    const atLimit = entryOfSize(PUT_EVENTS_MAX_ENTRY_BYTES, 1);
    const overLimit = entryOfSize(PUT_EVENTS_MAX_ENTRY_BYTES + 1, 2);

    // Act
    const outcomes = await sendPutEvents(eventBridgeClient(bridge), [atLimit, entryOfSize(100, 3)], {
      sleep: noSleep,
      concurrency: 1,
    });
    const refused = await sendPutEvents(eventBridgeClient(bridge), [entryOfSize(100, 4), overLimit]).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(eventEntrySize(atLimit)).toBe(1_048_576);
    expect(outcomes.map((o) => o.status)).toEqual(['published', 'published']);
    expect(bridge.calls.map((c) => c.map((e) => e.sequenceNr))).toEqual([[1], [3]]);
    expect(refused).toBeInstanceOf(EventTooLargeError);
    expect(refused).toMatchObject({ entryIndex: 1, sizeBytes: 1_048_577, limitBytes: 1_048_576, detailType: 'blob' });
    expect((refused as Error).message).toMatch(/"blob" \(entry 1\) is 1048577 bytes .*PUT_EVENTS_MAX_ENTRY_BYTES/);
    expect(bridge.calls).toHaveLength(2);
  });

  it('fills a request up to exactly the request limit and starts a new one at one byte more', async () => {
    // Prepare
    const bridge = await startBridge();
    const half = PUT_EVENTS_MAX_REQUEST_BYTES / 2;
    const exact = [entryOfSize(half, 1), entryOfSize(half, 2)];
    const over = [entryOfSize(half, 3), entryOfSize(half + 1, 4)];

    // Act
    await sendPutEvents(eventBridgeClient(bridge), [...exact, ...over], { sleep: noSleep, concurrency: 1 });

    // Assess
    expect(bridge.calls.map((c) => c.map((e) => e.sequenceNr))).toEqual([[1, 2], [3], [4]]);
  });

  it('starts no retry with less than 250 ms before the deadline, so a throttled entry ends failed, not cut off', async () => {
    // Prepare: a clock the bridge moves 400 ms per call; the deadline is 1 s away, so 600 ms are left
    // after the first call (a retry is started) and 200 ms after the second (none is)
    let now = 0;
    const deadline = Deadline.in(1_000, { now: () => now, safetyMarginMs: 0 });
    const bridge = await startBridge(() => {
      now += 400;
      return { kind: 'error', status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
    });

    // Act
    const outcomes = await sendUntil(deadline, bridge);

    // Assess
    expect(outcomes).toEqual(throttledAfter(2));
    expect(bridge.calls).toHaveLength(2);
  });

  it('starts no retry without twice the longest call before the deadline, even with more than 250 ms left', async () => {
    // Prepare: each call takes at least 300 ms; the bridge sets the clock so 500 ms are left after the first
    let now = 0;
    const deadline = Deadline.in(10_000, { now: () => now, safetyMarginMs: 0 });
    const bridge = await startBridge(() => {
      now = 9_500;
      return { kind: 'error', status: 400, type: 'ThrottlingException', message: 'Rate exceeded', delayMs: 300 };
    });

    // Act
    const outcomes = await sendUntil(deadline, bridge);

    // Assess
    expect(outcomes).toEqual(throttledAfter(1));
    expect(bridge.calls).toHaveLength(1);
  });

  it('refuses a retry policy without attempts', async () => {
    // Prepare
    const bridge = await startBridge();

    // Act
    const error = await sendPutEvents(eventBridgeClient(bridge), [entryOfSize(100)], {
      retry: { maxAttempts: 0 },
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RangeError);
    expect(bridge.calls).toHaveLength(0);
  });
});

describe('Class: EventPublisher at the entry limit', () => {
  it('publishes an event of exactly PUT_EVENTS_MAX_ENTRY_BYTES and refuses one a byte larger', async () => {
    // Prepare: measure the envelope around an empty blob, then fill it to the limit
    const bridge = await startBridge();
    const publisher = new EventPublisher({
      client: eventBridgeClient(bridge),
      eventBusName: 'bus',
      source: 'test',
      correlationId: CORRELATION_ID,
      now: () => 1_767_225_600_000,
    });
    const probe = publisher.publish('blob.stored', payloadOfSize(0));
    const fill = PUT_EVENTS_MAX_ENTRY_BYTES - probe.sizeBytes;

    // Act
    const exact = publisher.publish('blob.stored', payloadOfSize(fill));
    const over = () => publisher.publish('blob.stored', payloadOfSize(fill + 1));
    const published = await publisher.flush();

    // Assess
    expect(exact.sizeBytes).toBe(PUT_EVENTS_MAX_ENTRY_BYTES);
    expect(over).toThrow(EventTooLargeError);
    expect(over).toThrow(/"blob\.stored" is 1048577 bytes/);
    expect(published.map((p) => p.sequenceNr)).toEqual([1, 2]);
    expect(bridge.calls.map((c) => c.map((e) => e.sequenceNr))).toEqual([[1], [2]]);
  });
});
