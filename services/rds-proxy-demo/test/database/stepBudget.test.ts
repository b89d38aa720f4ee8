import { Deadline } from '@blueprints/common';
import { DatabaseTimeoutError } from '../../src/database/index.js';
import { stepBudget, withinStep } from '../../src/database/stepBudget.js';

/** A deadline `at` ms after epoch 0 on a clock the test moves. */
function deadlineAt(at: number, clock: { now: number }): Deadline {
  return Deadline.in(at, { safetyMarginMs: 0, now: () => clock.now });
}

describe('Function: stepBudget()', () => {
  it('gives a step its own timeout while there is more time left', () => {
    // Prepare
    const clock = { now: 0 };
    const deadline = deadlineAt(10_000, clock);

    // Act
    const budget = stepBudget(deadline, 'connecting', 5000);

    // Assess
    expect(budget).toBe(5000);
  });

  it('shortens a step to what is left before the deadline', () => {
    // Prepare
    const clock = { now: 0 };
    const deadline = deadlineAt(10_000, clock);
    clock.now = 8_000;

    // Act
    const budget = stepBudget(deadline, 'connecting', 5000);

    // Assess
    expect(budget).toBe(2000);
  });

  it('refuses to start a step when no time is left', () => {
    // Prepare
    const clock = { now: 0 };
    const deadline = deadlineAt(10_000, clock);
    clock.now = 9_990;

    // Act
    const start = () => stepBudget(deadline, 'the query', 5000);

    // Assess
    expect(start).toThrow(DatabaseTimeoutError);
    expect(start).toThrow("No time left for the query before the function's deadline");
  });
});

describe('Function: withinStep()', () => {
  it('abandons work that ignores its budget, with the step named in the error', async () => {
    // Prepare
    const deadline = Deadline.in(200, { safetyMarginMs: 0 });
    const never = () => new Promise<string>(() => undefined);

    // Act
    const run = withinStep(deadline, 'issuing the IAM token', 5000, never);

    // Assess
    await expect(run).rejects.toThrow(DatabaseTimeoutError);
    await expect(run).rejects.toThrow(/issuing the IAM token took longer than its \d+ ms budget/);
  });

  it('returns the work’s result when it finishes in time', async () => {
    // Act
    const result = await withinStep(Deadline.none(), 'connecting', 1000, async (budgetMs) => `budget ${budgetMs}`);

    // Assess
    expect(result).toBe('budget 1000');
  });
});
