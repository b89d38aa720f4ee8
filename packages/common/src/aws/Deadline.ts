/** The part of the Lambda context a deadline needs. */
export interface RemainingTimeSource {
  getRemainingTimeInMillis(): number;
}

export interface DeadlineOptions {
  /**
   * Time kept back for answering after the work stops (shaping a 5xx, logging, flushing metrics).
   * Default {@link DEFAULT_SAFETY_MARGIN_MS}.
   */
  safetyMarginMs?: number;
  /** Injectable for tests: epoch ms. */
  now?: () => number;
}

/** Time a handler keeps back by default to answer after its work stopped. */
export const DEFAULT_SAFETY_MARGIN_MS = 1_000;

/** Thrown by {@link Deadline.fromContext} / {@link Deadline.in} for a budget that is not a finite number. */
export class InvalidDeadlineError extends Error {
  constructor(what: string, value: unknown) {
    super(`Invalid deadline: ${what} must be a finite number of milliseconds >= 0, got ${String(value)}`);
    this.name = 'InvalidDeadlineError';
  }
}

/**
 * The moment a handler's work must be finished so it can still answer before Lambda kills it.
 *
 * Lambda does not expose the configured timeout in the environment, but the context knows how much time
 * is left (`getRemainingTimeInMillis()`): the deadline is that, minus a safety margin. Every network call
 * takes `signal()` (an `AbortSignal` that fires at the deadline) so nothing runs past it, and every retry
 * loop asks `remainingMs()` before it waits or tries again.
 *
 * @example
 * export const handler = async (event, context) => {
 *   const deadline = Deadline.fromContext(context, { safetyMarginMs: 500 });
 *   await client.send(command, { abortSignal: deadline.signal() });
 * };
 */
export class Deadline {
  /** Epoch ms at which work must stop. */
  readonly at: number;
  private readonly now: () => number;
  private controller?: AbortController;
  private timer?: NodeJS.Timeout;

  private constructor(at: number, now: () => number) {
    this.at = at;
    this.now = now;
  }

  /** The deadline of a Lambda invocation: the remaining time minus the safety margin. */
  static fromContext(context: RemainingTimeSource, options: DeadlineOptions = {}): Deadline {
    return Deadline.in(context.getRemainingTimeInMillis(), options);
  }

  /** No deadline: local scripts and tests that want only each step's own timeout. */
  static none(options: Pick<DeadlineOptions, 'now'> = {}): Deadline {
    return new Deadline(Number.POSITIVE_INFINITY, options.now ?? Date.now);
  }

  /** A deadline `budgetMs` from now, minus the safety margin (never in the past of now). */
  static in(budgetMs: number, options: DeadlineOptions = {}): Deadline {
    const margin = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
    if (!Number.isFinite(budgetMs) || budgetMs < 0) throw new InvalidDeadlineError('the budget', budgetMs);
    if (!Number.isFinite(margin) || margin < 0) throw new InvalidDeadlineError('safetyMarginMs', margin);
    const now = options.now ?? Date.now;
    return new Deadline(now() + Math.max(0, budgetMs - margin), now);
  }

  /** Milliseconds left before the deadline (0 once passed). */
  remainingMs(): number {
    return Math.max(0, this.at - this.now());
  }

  /** True once the deadline has passed. */
  get expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /** The time a step may take: `capMs`, or less when the deadline comes first. */
  budgetFor(capMs: number): number {
    return Math.min(capMs, this.remainingMs());
  }

  /**
   * Runs `work` with the budget of a step (`capMs`, or less when the deadline comes first) and gives
   * up with `onTimeout(budgetMs)` when that budget passes, whether or not `work` honours the budget it
   * was given (a credential provider probing an unreachable metadata endpoint does not). The
   * abandoned work settles in the background.
   *
   * @example
   * const token = await deadline.within(2000, () => signer.getAuthToken(), (ms) => new TokenTimeoutError(ms));
   */
  async within<T>(
    capMs: number,
    work: (budgetMs: number) => Promise<T>,
    onTimeout: (budgetMs: number) => Error = () => new DeadlineExceededError(this),
  ): Promise<T> {
    const budgetMs = this.budgetFor(capMs);
    if (!Number.isFinite(budgetMs)) return work(budgetMs);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout(budgetMs)), budgetMs);
    });
    try {
      return await Promise.race([work(budgetMs), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * An `AbortSignal` that aborts at the deadline (already aborted when it has passed); one signal per
   * deadline, shared by every call. Its timer does not keep the process alive.
   */
  signal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController();
      this.controller = controller;
      const abort = () => controller.abort(new DeadlineExceededError(this));
      const remaining = this.remainingMs();
      if (remaining <= 0) abort();
      else if (Number.isFinite(remaining)) {
        this.timer = setTimeout(abort, remaining);
        this.timer.unref();
      }
    }
    return this.controller.signal;
  }

  /** Stops the signal's timer (optional: it never keeps the process alive). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

/** The reason of a {@link Deadline.signal} abort: the deadline passed while a call was in flight. */
export class DeadlineExceededError extends Error {
  readonly deadlineAt: number;

  constructor(deadline: Pick<Deadline, 'at'>) {
    super(`Deadline reached (${new Date(deadline.at).toISOString()}): the call was abandoned`);
    this.name = 'DeadlineExceededError';
    this.deadlineAt = deadline.at;
  }
}
