import { Deadline, DeadlineExceededError, InvalidDeadlineError } from '../../src/aws/Deadline.js';

/** A Lambda context whose clock the test moves. */
function lambdaContext(remainingMs: number, clock: { now: number }) {
  const end = clock.now + remainingMs;
  return { getRemainingTimeInMillis: () => end - clock.now };
}

describe('Class: Deadline', () => {
  it('ends the safety margin before the Lambda context runs out of time', () => {
    // Prepare
    const clock = { now: 1_000_000 };
    const context = lambdaContext(10_000, clock);

    // Act
    const deadline = Deadline.fromContext(context, { safetyMarginMs: 1_500, now: () => clock.now });
    const atStart = deadline.remainingMs();
    clock.now += 8_000;
    const late = deadline.remainingMs();
    const lateExpired = deadline.expired;
    clock.now += 1_000;

    // Assess
    expect(deadline.at).toBe(1_008_500);
    expect(atStart).toBe(8_500);
    expect(late).toBe(500);
    expect(lateExpired).toBe(false);
    expect(deadline.remainingMs()).toBe(0);
    expect(deadline.expired).toBe(true);
  });

  it('keeps back one second by default and is already expired when less time than that is left', () => {
    // Prepare
    const clock = { now: 0 };

    // Act
    const roomy = Deadline.fromContext(lambdaContext(3_000, clock), { now: () => clock.now });
    const tight = Deadline.fromContext(lambdaContext(800, clock), { now: () => clock.now });

    // Assess
    expect(roomy.remainingMs()).toBe(2_000);
    expect(tight.expired).toBe(true);
  });

  it('caps a step budget by the time left', () => {
    // Prepare
    const clock = { now: 0 };
    const deadline = Deadline.in(5_000, { safetyMarginMs: 0, now: () => clock.now });

    // Act
    const early = deadline.budgetFor(3_000);
    clock.now = 4_000;
    const late = deadline.budgetFor(3_000);

    // Assess
    expect(early).toBe(3_000);
    expect(late).toBe(1_000);
  });

  it('aborts its signal at the deadline with a DeadlineExceededError reason', async () => {
    // Prepare
    const deadline = Deadline.in(250, { safetyMarginMs: 50 });
    const signal = deadline.signal();
    const started = performance.now();

    // Act
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));

    // Assess
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(signal.reason).toBeInstanceOf(DeadlineExceededError);
    expect(deadline.signal()).toBe(signal);
  });

  it('returns an aborted signal once the deadline has passed', () => {
    // Prepare
    const deadline = Deadline.in(100, { safetyMarginMs: 100 });

    // Act
    const signal = deadline.signal();

    // Assess
    expect(signal.aborted).toBe(true);
  });

  it.each([
    [Number.NaN, {}],
    [-1, {}],
    [1_000, { safetyMarginMs: -5 }],
  ])('refuses a budget of %p with %j', (budget, options) => {
    // Prepare
    const act = () => Deadline.in(budget, options);

    // Act & Assess
    expect(act).toThrow(InvalidDeadlineError);
  });

  it('gives up on work that outlives its budget with the error the caller chose', async () => {
    // Prepare
    const deadline = Deadline.in(200, { safetyMarginMs: 0 });
    const never = () => new Promise<string>(() => undefined);

    // Act
    const run = deadline.within(5_000, never, (budgetMs) => new Error(`gave up after ${budgetMs} ms`));

    // Assess
    await expect(run).rejects.toThrow(/gave up after \d+ ms/);
  });

  it('abandons work at the deadline with a DeadlineExceededError by default', async () => {
    // Prepare
    const deadline = Deadline.in(100, { safetyMarginMs: 0 });

    // Act
    const run = deadline.within(5_000, () => new Promise<string>(() => undefined));

    // Assess
    await expect(run).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it('has no end without a deadline: steps keep their own caps and the signal never aborts', async () => {
    // Prepare
    const deadline = Deadline.none();

    // Act
    const result = await deadline.within(1_000, async (budgetMs) => budgetMs);

    // Assess
    expect(result).toBe(1_000);
    expect(deadline.budgetFor(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(deadline.signal().aborted).toBe(false);
  });
});
