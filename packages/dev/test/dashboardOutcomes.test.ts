import { LastActionOutcomes } from '../src/lastActionOutcomes.js';

const describeError = (error: unknown) => ({ name: (error as Error).name, message: (error as Error).message });

/** A run that ends when the test says so. */
function controlledRun<T>() {
  let finish!: (value: T) => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<T>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { run: () => promise, finish, fail };
}

describe('Class: LastActionOutcomes', () => {
  it('keeps the result of a run and answers it to the caller', async () => {
    // Prepare
    const outcomes = new LastActionOutcomes();

    // Act
    const result = await outcomes.track('orders', 'place', async () => ({ orderId: 'o-1' }), describeError);

    // Assess
    expect(result).toEqual({ orderId: 'o-1' });
    expect(outcomes.all()).toEqual({
      'orders/place': {
        outcome: 'ok',
        result: { orderId: 'o-1' },
        durationMs: expect.any(Number),
        at: expect.any(String),
      },
    });
  });

  it('keeps the error of a failed run and rethrows it', async () => {
    // Prepare
    const outcomes = new LastActionOutcomes();
    const failure = Object.assign(new Error('closed'), { name: 'ShopClosedError' });

    // Act
    const run = outcomes.track('orders', 'place', () => Promise.reject(failure), describeError);

    // Assess
    await expect(run).rejects.toBe(failure);
    expect(outcomes.all()['orders/place']).toEqual(
      expect.objectContaining({ outcome: 'error', error: { name: 'ShopClosedError', message: 'closed' } }),
    );
  });

  it('keeps the run that started last when an earlier, slower run ends after it', async () => {
    // Prepare
    const outcomes = new LastActionOutcomes();
    const slow = controlledRun<string>();
    const fast = controlledRun<string>();
    const first = outcomes.track('orders', 'place', slow.run, describeError);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = outcomes.track('orders', 'place', fast.run, describeError);

    // Act
    fast.finish('second');
    await second;
    slow.finish('first');
    await first;

    // Assess
    expect(outcomes.all()['orders/place']).toEqual(expect.objectContaining({ result: 'second' }));
  });

  it('keeps the outcomes of different actions apart', async () => {
    // Prepare
    const outcomes = new LastActionOutcomes();

    // Act
    await outcomes.track('orders', 'place', async () => 1, describeError);
    await outcomes.track('orders', 'query', async () => 2, describeError);
    await outcomes.track('billing', 'place', async () => 3, describeError);

    // Assess
    const all = outcomes.all();
    expect(Object.keys(all).sort()).toEqual(['billing/place', 'orders/place', 'orders/query']);
    expect(all['orders/query']).toEqual(expect.objectContaining({ result: 2 }));
  });
});
