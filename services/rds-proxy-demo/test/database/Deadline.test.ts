import { DatabaseTimeoutError, Deadline } from '../../src/database/index.js';

describe('Class: Deadline', () => {
  it('gives a step its own timeout while there is more time left', () => {
    // Prepare
    const deadline = new Deadline(10_000, () => 0);

    // Act
    const budget = deadline.budgetFor('connecting', 5000);

    // Assess
    expect(budget).toBe(5000);
  });

  it('shortens a step to what is left before the deadline', () => {
    // Prepare
    const deadline = new Deadline(10_000, () => 8_000);

    // Act
    const budget = deadline.budgetFor('connecting', 5000);

    // Assess
    expect(budget).toBe(2000);
  });

  it('refuses to start a step when no time is left', () => {
    // Prepare
    const deadline = new Deadline(10_000, () => 9_990);

    // Act
    const start = () => deadline.budgetFor('the query', 5000);

    // Assess
    expect(start).toThrow(DatabaseTimeoutError);
    expect(start).toThrow("No time left for the query before the function's deadline");
  });

  it('keeps the safety margin back from the Lambda context', () => {
    // Prepare
    const context = { getRemainingTimeInMillis: () => 10_000 };

    // Act
    const remaining = Deadline.fromLambdaContext(context, 1500).remainingMs();

    // Assess
    expect(remaining).toBeGreaterThan(8400);
    expect(remaining).toBeLessThanOrEqual(8500);
  });

  it('abandons work that ignores its budget, with the step named in the error', async () => {
    // Prepare
    const deadline = Deadline.in(200);
    const never = () => new Promise<string>(() => undefined);

    // Act
    const run = deadline.within('issuing the IAM token', 5000, never);

    // Assess
    await expect(run).rejects.toThrow(DatabaseTimeoutError);
    await expect(run).rejects.toThrow(/issuing the IAM token took longer than its \d+ ms budget/);
  });

  it('returns the work’s result when it finishes in time', async () => {
    // Act
    const result = await Deadline.none().within('connecting', 1000, async (budgetMs) => `budget ${budgetMs}`);

    // Assess
    expect(result).toBe('budget 1000');
  });
});
