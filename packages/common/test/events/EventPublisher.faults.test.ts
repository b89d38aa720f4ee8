import { Deadline } from '../../src/aws/Deadline.js';
import { EventPublisher, type PublishOutcomes } from '../../src/events/index.js';
import {
  eventBridgeClient,
  type FaultPlan,
  sequenceNrs,
  useFaultyEventBridges,
} from '../helpers/faultyEventBridges.js';
import { CORRELATION_ID, seededRandom } from './helpers/factories.js';

/**
 * The publisher against a real EventBridge-speaking HTTP server on loopback that stalls, is slow, throttles,
 * drops responses, fails entries or leaves results out. Each test gives the flush a function budget, checks
 * the exact outcome of every event and that the flush returned before the function would have timed out.
 */

interface Scenario {
  plan: FaultPlan;
  events: number;
  /** The function's timeout: the client and the deadline are sized from it. */
  functionTimeoutMs: number;
  safetyMarginMs?: number;
  maxAttempts?: number;
  concurrency?: number;
}

const startBridge = useFaultyEventBridges();

async function flushAgainst(scenario: Scenario) {
  const bridge = await startBridge(scenario.plan);
  const publisher = new EventPublisher({
    client: eventBridgeClient(bridge, { functionTimeoutMs: scenario.functionTimeoutMs, maxAttempts: 1 }),
    eventBusName: 'orders-bus',
    source: 'test.faults',
    correlationId: CORRELATION_ID,
    retry: { maxAttempts: scenario.maxAttempts ?? 5, baseDelayMs: 50, maxDelayMs: 400 },
    ...(scenario.concurrency ? { concurrency: scenario.concurrency } : {}),
  });
  for (let i = 1; i <= scenario.events; i++) publisher.publish('order.placed', { orderId: `o-${i}` });
  const deadline = Deadline.in(scenario.functionTimeoutMs, { safetyMarginMs: scenario.safetyMarginMs ?? 1_000 });
  const started = performance.now();
  const outcomes = await publisher.flushOutcomes({ deadline });
  return { outcomes, elapsedMs: performance.now() - started, bridge };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const seqs = (list: Array<{ sequenceNr: number }>) => list.map((e) => e.sequenceNr);
const classes = (o: PublishOutcomes) => ({
  published: seqs(o.published),
  failed: seqs(o.failed),
  unknown: seqs(o.unknown),
});

describe('Class: EventPublisher under injected faults', () => {
  it('reports every event as unknown when the endpoint accepts and never answers, and returns before the function timeout', async () => {
    // Prepare
    const scenario: Scenario = { plan: () => ({ kind: 'stall' }), events: 3, functionTimeoutMs: 3_000 };

    // Act
    const { outcomes, elapsedMs, bridge } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: [], failed: [], unknown: [1, 2, 3] });
    // The call timed out; another would not finish before the deadline, so none is started (or, had one
    // been started, the deadline cut it): the code says which.
    for (const u of outcomes.unknown) expect(['RequestTimeout', 'DeadlineExceeded']).toContain(u.errorCode);
    expect(bridge.calls.length).toBeGreaterThanOrEqual(1);
    expect(elapsedMs).toBeLessThan(scenario.functionTimeoutMs);
  }, 20_000);

  it('publishes everything through a slow endpoint (2 s per call) by sending batches side by side', async () => {
    // Prepare
    const scenario: Scenario = {
      plan: () => ({ kind: 'entries', delayMs: 2_000 }),
      events: 25,
      functionTimeoutMs: 10_000,
    };

    // Act
    const { outcomes, elapsedMs, bridge } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: range(1, 25), failed: [], unknown: [] });
    expect(bridge.calls.map((c) => c.length).sort()).toEqual([10, 10, 5]);
    expect(elapsedMs).toBeLessThan(scenario.functionTimeoutMs - 1_000);
  }, 20_000);

  it('stops at the deadline on a slow endpoint: sent and answered published, in flight unknown, never sent failed', async () => {
    // Prepare: one call at a time, 2 s each, deadline at 5 s: calls end at ~2 s and ~4 s, the third is cut off
    const scenario: Scenario = {
      plan: () => ({ kind: 'entries', delayMs: 2_000 }),
      events: 50,
      functionTimeoutMs: 6_000,
      concurrency: 1,
    };

    // Act
    const { outcomes, elapsedMs, bridge } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: range(1, 20), failed: range(31, 50), unknown: range(21, 30) });
    expect(outcomes.failed.every((f) => f.errorCode === 'DeadlineExceeded' && f.attempts === 0)).toBe(true);
    expect(bridge.calls).toHaveLength(3);
    expect(elapsedMs).toBeLessThan(scenario.functionTimeoutMs);
  }, 20_000);

  it('reports an entry throttled on every call as failed after the allowed attempts, the others as published', async () => {
    // Prepare
    const scenario: Scenario = {
      plan: () => ({
        kind: 'entries',
        entry: (e) => (e.sequenceNr === 2 ? { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' } : 'ok'),
      }),
      events: 4,
      functionTimeoutMs: 10_000,
      maxAttempts: 4,
    };

    // Act
    const { outcomes, elapsedMs, bridge } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: [1, 3, 4], failed: [2], unknown: [] });
    expect(outcomes.failed[0]).toMatchObject({ errorCode: 'ThrottlingException', attempts: 4 });
    expect(bridge.calls.map(sequenceNrs)).toEqual([[1, 2, 3, 4], [2], [2], [2]]);
    expect(elapsedMs).toBeLessThan(scenario.functionTimeoutMs);
  });

  it('reports whole calls throttled with HTTP 400 as failed, stopping before the deadline', async () => {
    // Prepare
    const scenario: Scenario = {
      plan: () => ({ kind: 'error', status: 400, type: 'ThrottlingException', message: 'Rate exceeded' }),
      events: 3,
      functionTimeoutMs: 3_000,
      maxAttempts: 1_000,
    };

    // Act
    const { outcomes, elapsedMs, bridge } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: [], failed: [1, 2, 3], unknown: [] });
    expect(outcomes.failed.every((f) => f.errorCode === 'ThrottlingException')).toBe(true);
    expect(bridge.calls.length).toBeGreaterThan(1);
    expect(elapsedMs).toBeLessThan(scenario.functionTimeoutMs);
  }, 20_000);

  it('reports events as unknown when the endpoint reads every request and drops the response', async () => {
    // Prepare
    const scenario: Scenario = { plan: () => ({ kind: 'drop' }), events: 2, functionTimeoutMs: 5_000, maxAttempts: 3 };

    // Act
    const { outcomes, elapsedMs, bridge } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: [], failed: [], unknown: [1, 2] });
    expect(outcomes.unknown[0]).toMatchObject({ attempts: 3 });
    expect(outcomes.unknown[0]?.errorCode).toMatch(/^(ECONNRESET|ConnectionClosed)$/);
    expect(bridge.calls).toHaveLength(3);
    expect(elapsedMs).toBeLessThan(scenario.functionTimeoutMs);
  });

  it('publishes events whose first response was dropped once a retry is answered', async () => {
    // Prepare
    const scenario: Scenario = {
      plan: (call) => (call === 1 ? { kind: 'drop' } : { kind: 'entries' }),
      events: 2,
      functionTimeoutMs: 5_000,
    };

    // Act
    const { outcomes, bridge } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: [1, 2], failed: [], unknown: [] });
    // The dropped call's entries were taken too: the retry duplicates them (at-least-once; consumers
    // deduplicate on the idempotency key).
    expect(bridge.accepted.map((a) => a.entry.sequenceNr)).toEqual([1, 2, 1, 2]);
  });

  it('keeps an event unknown when a dropped response is followed by a definite refusal', async () => {
    // Prepare
    const scenario: Scenario = {
      plan: (call) => (call === 1 ? { kind: 'drop' } : { kind: 'error', status: 400, type: 'AccessDeniedException' }),
      events: 1,
      functionTimeoutMs: 5_000,
    };

    // Act
    const { outcomes } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: [], failed: [], unknown: [1] });
    expect(outcomes.unknown[0]).toMatchObject({ errorCode: 'AccessDeniedException', attempts: 2 });
  });

  it('reports each event of random partial failures exactly as the bus last answered it', async () => {
    // Prepare: a seeded mix of retryable and final per-entry errors
    const random = seededRandom(7);
    const finalFailures = new Set<number>();
    const scenario: Scenario = {
      plan: () => ({
        kind: 'entries',
        entry: (e) => {
          if (e.sequenceNr !== undefined && e.sequenceNr % 9 === 0) {
            finalFailures.add(e.sequenceNr);
            return { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
          }
          return random() < 0.3 ? { errorCode: 'InternalFailure' } : 'ok';
        },
      }),
      events: 37,
      functionTimeoutMs: 10_000,
      maxAttempts: 20,
    };

    // Act
    const { outcomes, bridge } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({
      published: range(1, 37).filter((n) => n % 9 !== 0),
      failed: [9, 18, 27, 36],
      unknown: [],
    });
    expect([...finalFailures].sort((a, b) => a - b)).toEqual([9, 18, 27, 36]);
    const acceptedKeys = bridge.accepted.map((a) => a.entry.sequenceNr);
    expect(new Set(acceptedKeys).size).toBe(acceptedKeys.length);
    expect(outcomes.published.map((p) => p.eventId)).toEqual(
      outcomes.published.map((p) => bridge.accepted.find((a) => a.entry.sequenceNr === p.sequenceNr)?.eventId),
    );
  });

  it('counts an entry whose result has no EventId as failed, never as published', async () => {
    // Prepare
    const scenario: Scenario = {
      plan: () => ({ kind: 'entries', entry: (e) => (e.sequenceNr === 3 ? 'blank' : 'ok') }),
      events: 4,
      functionTimeoutMs: 10_000,
      maxAttempts: 3,
    };

    // Act
    const { outcomes, bridge } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: [1, 2, 4], failed: [3], unknown: [] });
    expect(outcomes.failed[0]).toMatchObject({ errorCode: 'MissingResult', attempts: 3 });
    expect(bridge.calls.map(sequenceNrs)).toEqual([[1, 2, 3, 4], [3], [3]]);
  });

  it('trusts no result of a response with fewer results than entries, and publishes them on a full answer', async () => {
    // Prepare
    const scenario: Scenario = {
      plan: (call) => ({ kind: 'entries', entry: (e) => (call === 1 && e.sequenceNr === 2 ? 'omit' : 'ok') }),
      events: 3,
      functionTimeoutMs: 10_000,
    };

    // Act
    const { outcomes, bridge } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: [1, 2, 3], failed: [], unknown: [] });
    expect(bridge.calls.map(sequenceNrs)).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    const lastAccepted = bridge.accepted.slice(-3);
    expect(outcomes.published.map((p) => p.eventId)).toEqual(lastAccepted.map((a) => a.eventId));
  });

  it('reports the events of responses that always miss a result as unknown, never as published or failed', async () => {
    // Prepare
    const scenario: Scenario = {
      plan: () => ({ kind: 'entries', entry: (e) => (e.sequenceNr === 2 ? 'omit' : 'ok') }),
      events: 3,
      functionTimeoutMs: 10_000,
      maxAttempts: 3,
    };

    // Act
    const { outcomes } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: [], failed: [], unknown: [1, 2, 3] });
    expect(outcomes.unknown.every((u) => u.errorCode === 'MismatchedResults' && u.attempts === 3)).toBe(true);
  });

  it('reports events as unknown when a 200 response is cut off mid-body', async () => {
    // Prepare
    const scenario: Scenario = { plan: () => ({ kind: 'truncated' }), events: 2, functionTimeoutMs: 5_000 };

    // Act
    const { outcomes, elapsedMs } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: [], failed: [], unknown: [1, 2] });
    expect(elapsedMs).toBeLessThan(scenario.functionTimeoutMs);
  });

  it('retries a call answered with HTTP 500 and publishes on the next answer', async () => {
    // Prepare
    const scenario: Scenario = {
      plan: (call) => (call === 1 ? { kind: 'error', status: 500, type: 'InternalException' } : { kind: 'entries' }),
      events: 3,
      functionTimeoutMs: 5_000,
    };

    // Act
    const { outcomes, bridge } = await flushAgainst(scenario);

    // Assess
    expect(classes(outcomes)).toEqual({ published: [1, 2, 3], failed: [], unknown: [] });
    expect(bridge.calls).toHaveLength(2);
  });
});
