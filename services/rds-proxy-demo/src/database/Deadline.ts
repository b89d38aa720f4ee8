import { DatabaseTimeoutError } from './errors.js';

/** What `Deadline.fromLambdaContext` reads from the handler's second argument. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/**
 * The moment a database call must have answered by. Every step of a call (IAM token, liveness
 * check of a reused connection, connect, query) gets the smaller of its own timeout and what is
 * left, so the steps together can never run past the function's timeout: the handler still has
 * time to answer its 503, or to throw an error that says what was slow.
 *
 * @example
 * export const handler = async (event, context) => {
 *   const deadline = Deadline.fromLambdaContext(context, 1500);
 *   await database.query('SELECT 1', [], { deadline });
 * };
 */
export class Deadline {
  readonly #at: number;
  readonly #now: () => number;

  constructor(at: number, now: () => number = Date.now) {
    this.#at = at;
    this.#now = now;
  }

  /**
   * The function's own deadline minus `safetyMarginMs`, kept for answering (serialising the
   * response, logging) after the database has given up.
   */
  static fromLambdaContext(context: RemainingTime, safetyMarginMs: number): Deadline {
    return new Deadline(Date.now() + context.getRemainingTimeInMillis() - safetyMarginMs);
  }

  static in(ms: number): Deadline {
    return new Deadline(Date.now() + ms);
  }

  /** No deadline: local scripts and tests that want only the configured per-step timeouts. */
  static none(): Deadline {
    return new Deadline(Number.POSITIVE_INFINITY);
  }

  remainingMs(): number {
    return Math.max(0, this.#at - this.#now());
  }

  /**
   * The time `step` may take: its own timeout `capMs`, shortened to what is left.
   * Throws `DatabaseTimeoutError` when nothing is left, so a step is never started without time.
   */
  budgetFor(step: string, capMs: number): number {
    const remaining = this.remainingMs();
    if (remaining < MIN_STEP_MS) throw new DatabaseTimeoutError(step, 0);
    return Math.max(MIN_STEP_MS, Math.min(capMs, Math.floor(remaining)));
  }

  /**
   * Runs `work` with the budget of `step` and gives up with `DatabaseTimeoutError` when the budget
   * passes, whether or not `work` honours the budget it was given (a credential provider probing
   * an unreachable metadata endpoint does not). The abandoned work settles in the background.
   *
   * @example
   * const token = await deadline.within('IAM token', 2000, () => signer.getAuthToken());
   */
  async within<T>(step: string, capMs: number, work: (budgetMs: number) => Promise<T>): Promise<T> {
    const budgetMs = this.budgetFor(step, capMs);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DatabaseTimeoutError(step, budgetMs)), budgetMs);
    });
    try {
      return await Promise.race([work(budgetMs), expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}

// Below this no step can succeed (one round trip on a loaded machine); failing at once is more honest.
const MIN_STEP_MS = 50;
