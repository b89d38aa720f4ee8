import type { Deadline } from '@blueprints/common';
import { DatabaseTimeoutError } from './errors.js';

// Below this no step can succeed (one round trip on a loaded machine); failing at once is more honest.
const MIN_STEP_MS = 50;

/**
 * The time one step of a database call (IAM token, liveness check, connect, query) may take: its own
 * timeout `capMs`, shortened to what is left before the deadline, so the steps together can never run
 * past the function's timeout. Throws `DatabaseTimeoutError` when nothing is left, so a step is never
 * started without time.
 *
 * @example
 * const budgetMs = stepBudget(deadline, 'the query', settings.statementTimeoutMs);
 */
export function stepBudget(deadline: Deadline, step: string, capMs: number): number {
  if (deadline.remainingMs() < MIN_STEP_MS) throw new DatabaseTimeoutError(step, 0);
  return Math.max(MIN_STEP_MS, Math.floor(deadline.budgetFor(capMs)));
}

/**
 * Runs one step with its budget (`stepBudget`) and gives up with `DatabaseTimeoutError` naming the
 * step when the budget passes, whether or not the work honours it.
 *
 * @example
 * const token = await withinStep(deadline, 'issuing the IAM token', 2000, () => signer.getAuthToken());
 */
export function withinStep<T>(
  deadline: Deadline,
  step: string,
  capMs: number,
  work: (budgetMs: number) => Promise<T>,
): Promise<T> {
  return deadline.within(
    stepBudget(deadline, step, capMs),
    work,
    (budgetMs) => new DatabaseTimeoutError(step, budgetMs),
  );
}
