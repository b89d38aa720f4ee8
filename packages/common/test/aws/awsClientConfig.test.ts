import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FaultyEventBridge } from '@blueprints/fault-injection';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { awsClientConfig, clientTimeouts, InvalidClientBudgetError } from '../../src/aws/awsClientConfig.js';
import { Deadline } from '../../src/aws/Deadline.js';
import { eventBridgeClient, type ReceivedEntry } from '../helpers/faultyEventBridges.js';

const putOne = () =>
  new PutEventsCommand({ Entries: [{ EventBusName: 'bus', Source: 'test', DetailType: 'ping', Detail: '{}' }] });

async function timed<T>(work: () => Promise<T>): Promise<{ elapsedMs: number; result?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const result = await work();
    return { elapsedMs: performance.now() - started, result };
  } catch (error) {
    return { elapsedMs: performance.now() - started, error };
  }
}

describe('Function: clientTimeouts()', () => {
  it('shares half the function timeout between the SDK attempts by default', () => {
    // Prepare
    const budget = { functionTimeoutMs: 10_000 };

    // Act
    const timeouts = clientTimeouts(budget);

    // Assess
    expect(timeouts).toEqual({ maxAttempts: 2, connectionTimeoutMs: 1_000, requestTimeoutMs: 2_500 });
  });

  it('never gives the connection more time than the whole attempt', () => {
    // Prepare
    const budget = { functionTimeoutMs: 1_000, maxAttempts: 1, callShare: 0.4 };

    // Act
    const timeouts = clientTimeouts(budget);

    // Assess
    expect(timeouts).toEqual({ maxAttempts: 1, connectionTimeoutMs: 400, requestTimeoutMs: 400 });
  });

  it.each([
    [{ functionTimeoutMs: 0 }, /functionTimeoutMs must be a positive number/],
    [{ functionTimeoutMs: Number.NaN }, /functionTimeoutMs must be a positive number/],
    [{ functionTimeoutMs: 10_000, maxAttempts: 0 }, /maxAttempts must be an integer >= 1/],
    [{ functionTimeoutMs: 10_000, callShare: 1.5 }, /callShare must be in \(0, 1\]/],
    [{ functionTimeoutMs: 2, maxAttempts: 3, callShare: 0.5 }, /cannot be shared by 3 attempts/],
  ])('refuses the budget %j with a clear error', (budget, message) => {
    // Prepare
    const act = () => clientTimeouts(budget);

    // Act & Assess
    expect(act).toThrow(InvalidClientBudgetError);
    expect(act).toThrow(message);
  });
});

describe('Function: awsClientConfig()', () => {
  let bridge: FaultyEventBridge<ReceivedEntry> | undefined;
  afterEach(async () => {
    await bridge?.close();
    bridge = undefined;
  });

  it('returns a NodeHttpHandler and the attempt count to spread into a client', () => {
    // Prepare
    const budget = { functionTimeoutMs: 6_000, maxAttempts: 3 };

    // Act
    const config = awsClientConfig(budget);

    // Assess
    expect(config.maxAttempts).toBe(3);
    expect(config.requestHandler).toBeInstanceOf(NodeHttpHandler);
  });

  it('fails a call to an endpoint that accepts and never answers at the request timeout, well before the function timeout', async () => {
    // Prepare
    bridge = await FaultyEventBridge.start<ReceivedEntry>({ plan: () => ({ kind: 'stall' }) });
    const functionTimeoutMs = 3_000;
    const client = eventBridgeClient(bridge, { functionTimeoutMs, maxAttempts: 1 }); // request timeout 1,500 ms

    // Act
    const { elapsedMs, error } = await timed(() => client.send(putOne()));

    // Assess
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(String((error as Error).message)).toMatch(/exceeded the configured 1500 ms requestTimeout/);
    expect(elapsedMs).toBeGreaterThanOrEqual(1_400);
    expect(elapsedMs).toBeLessThan(functionTimeoutMs);
    expect(bridge.calls).toHaveLength(1);
  });

  it('spends at most maxAttempts request timeouts on a stalled endpoint, all within the call share', async () => {
    // Prepare
    bridge = await FaultyEventBridge.start<ReceivedEntry>({ plan: () => ({ kind: 'stall' }) });
    const functionTimeoutMs = 4_000;
    const client = eventBridgeClient(bridge, { functionTimeoutMs, maxAttempts: 2 }); // 2 × 1,000 ms

    // Act
    const { elapsedMs, error } = await timed(() => client.send(putOne()));

    // Assess
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(bridge.calls).toHaveLength(2);
    expect(elapsedMs).toBeLessThan(functionTimeoutMs);
  });

  it('waits for a slow endpoint (2 s per call) when the budget allows it', async () => {
    // Prepare
    bridge = await FaultyEventBridge.start<ReceivedEntry>({ plan: () => ({ kind: 'entries', delayMs: 2_000 }) });
    const client = eventBridgeClient(bridge, { functionTimeoutMs: 10_000, maxAttempts: 1 }); // request timeout 5,000 ms

    // Act
    const { result, error } = await timed(() => client.send(putOne()));

    // Assess
    expect(error).toBeUndefined();
    expect(result?.Entries?.[0]?.EventId).toEqual(expect.any(String));
  });

  it('abandons a slow endpoint (2 s per call) when one attempt may only take 1 s', async () => {
    // Prepare
    bridge = await FaultyEventBridge.start<ReceivedEntry>({ plan: () => ({ kind: 'entries', delayMs: 2_000 }) });
    const client = eventBridgeClient(bridge, { functionTimeoutMs: 2_000, maxAttempts: 1 }); // request timeout 1,000 ms

    // Act
    const { elapsedMs, error } = await timed(() => client.send(putOne()));

    // Assess
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(elapsedMs).toBeLessThan(2_000);
  });

  it('aborts a stalled call at the deadline even when the request timeout is longer', async () => {
    // Prepare
    bridge = await FaultyEventBridge.start<ReceivedEntry>({ plan: () => ({ kind: 'stall' }) });
    const client = eventBridgeClient(bridge, { functionTimeoutMs: 60_000, maxAttempts: 1 }); // request timeout 30 s
    const deadline = Deadline.in(1_500, { safetyMarginMs: 500 });

    // Act
    const { elapsedMs, error } = await timed(() => client.send(putOne(), { abortSignal: deadline.signal() }));

    // Assess
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(elapsedMs).toBeGreaterThanOrEqual(900);
    expect(elapsedMs).toBeLessThan(1_500);
  });
});
