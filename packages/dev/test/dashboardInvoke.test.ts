/**
 * The dashboard's invoke form, server side: sample events found by function, and invocations on a
 * real local Lambda running a fixture service's TypeScript handlers.
 */
import { ActivityFeed, type DevActivity } from '../src/activityFeed.js';
import { findDevFunction, invokeDevFunction, sampleEventOf } from '../src/dashboardInvoke.js';
import { INVOKABLE_DIR, invokableFunction, invokableService } from './helpers/invokableService.js';

describe('Function: sampleEventOf()', () => {
  it('finds events/<function key>.json by the logical id osls gives the key', () => {
    // Act
    const sample = sampleEventOf(INVOKABLE_DIR, invokableFunction('echo'));

    // Assess
    expect(sample).toBe('events/echo.json');
  });

  it('answers undefined for a function without a sample event', () => {
    // Act
    const sample = sampleEventOf(INVOKABLE_DIR, invokableFunction('reject'));

    // Assess
    expect(sample).toBeUndefined();
  });

  it('matches a function key with a dash as osls names its logical id', () => {
    // Prepare: osls writes `-` as `Dash` (and `_` as `Underscore`) in logical ids
    const fn = { logicalId: 'MakeDashorderLambdaFunction' };

    // Act
    const sample = sampleEventOf(INVOKABLE_DIR, fn);

    // Assess
    expect(sample).toBe('events/make-order.json');
  });

  it('answers undefined for a service folder without events/', () => {
    // Act
    const sample = sampleEventOf(`${INVOKABLE_DIR}/src`, invokableFunction('echo'));

    // Assess
    expect(sample).toBeUndefined();
  });
});

describe('Function: findDevFunction()', () => {
  it('finds a function by name or ARN, and nothing for an unknown name', () => {
    // Prepare
    const service = invokableService();
    const echo = invokableFunction('echo');

    // Act
    const byName = findDevFunction([service], echo.name);
    const byArn = findDevFunction([service], echo.arn);
    const unknown = findDevFunction([service], 'invokable-dev-missing');

    // Assess
    expect(byName?.fn.name).toBe(echo.name);
    expect(byArn?.service.name).toBe('invokable');
    expect(unknown).toBeUndefined();
  });
});

describe('Function: invokeDevFunction()', () => {
  it("answers with the handler's result and reports the invocation to the feed", async () => {
    // Prepare
    const feed = new ActivityFeed();
    const seen: DevActivity[] = [];
    feed.subscribe((activity) => seen.push(activity));
    const service = invokableService(feed);
    const found = findDevFunction([service], 'invokable-dev-echo');

    // Act
    const outcome = await invokeDevFunction(service, found!.fn, { orderId: 'o-7' });

    // Assess
    expect(outcome).toEqual({
      service: 'invokable',
      functionName: 'invokable-dev-echo',
      durationMs: expect.any(Number),
      result: { received: { orderId: 'o-7' } },
    });
    expect(seen).toEqual([
      expect.objectContaining({ kind: 'invocation', functionName: 'invokable-dev-echo', outcome: 'success' }),
    ]);
  });

  it.each([
    ['a string', 'text'],
    ['a number', 42],
    ['null', null],
  ])('invokes with %s as the payload, as Lambda takes any JSON', async (_, payload) => {
    // Prepare
    const service = invokableService();
    const { fn } = findDevFunction([service], 'invokable-dev-echo')!;

    // Act
    const outcome = await invokeDevFunction(service, fn, payload);

    // Assess
    expect(outcome.result).toEqual({ received: payload });
  });

  it('answers a thrown error as a function error with its type, message and stack', async () => {
    // Prepare
    const service = invokableService();
    const { fn } = findDevFunction([service], 'invokable-dev-reject')!;

    // Act
    const outcome = await invokeDevFunction(service, fn, { reason: 'out of stock' });

    // Assess
    expect(outcome.result).toBeUndefined();
    expect(outcome.functionError).toEqual({
      errorType: 'OrderRejectedError',
      errorMessage: 'order rejected: out of stock',
      trace: expect.arrayContaining([expect.stringContaining('reject.ts:')]),
    });
    expect(outcome.functionError?.trace[0]).toBe('OrderRejectedError: order rejected: out of stock');
  });

  it('answers a handler that never settles with a timeout error once its function timeout has passed', async () => {
    // Prepare
    const service = invokableService(new ActivityFeed(), 1);
    const { fn } = findDevFunction([service], 'invokable-dev-stall')!;

    // Act
    const outcome = await invokeDevFunction(service, fn, {});

    // Assess
    expect(outcome.functionError).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 1.00 seconds',
      trace: [],
    });
    // Not before the timeout; the upper bound is the test's own timeout (the machine may be busy).
    expect(outcome.durationMs).toBeGreaterThanOrEqual(990);
  });
});
