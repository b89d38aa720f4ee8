/** How one run of a dashboard action ended, as the page shows it on the action's card. */
export type ActionOutcome =
  | { outcome: 'ok'; result: unknown; durationMs: number; at: string }
  | { outcome: 'error'; error: { name: string; message: string }; durationMs: number; at: string };

/**
 * The last outcome of each action (`<service>/<action id>`), kept by the dev server so a reloaded
 * page shows what each card showed before. In memory: a new `pnpm dev` starts with none.
 *
 * @example
 * const outcomes = new LastActionOutcomes();
 * const body = await outcomes.track('orders', 'place-order', () => runAction(input));
 * outcomes.all(); // { 'orders/place-order': { outcome: 'ok', result: body, durationMs: 84, at: '…' } }
 */
export class LastActionOutcomes {
  private readonly outcomes = new Map<string, ActionOutcome>();

  /**
   * Runs `action` and keeps how it ended; answers (or throws) what it did. Of two runs of one
   * action that overlap, the one that started last is kept, whichever ends last.
   */
  async track<T>(
    service: string,
    actionId: string,
    action: () => Promise<T>,
    describeError: (error: unknown) => { name: string; message: string },
  ): Promise<T> {
    const key = `${service}/${actionId}`;
    const started = Date.now();
    const startedLast = () => {
      const kept = this.outcomes.get(key);
      return !kept || Date.parse(kept.at) - kept.durationMs <= started;
    };
    try {
      const result = await action();
      if (startedLast()) this.outcomes.set(key, { outcome: 'ok', result, ...this.timing(started) });
      return result;
    } catch (error) {
      if (startedLast()) this.outcomes.set(key, { outcome: 'error', error: describeError(error), ...this.timing(started) });
      throw error;
    }
  }

  all(): Record<string, ActionOutcome> {
    return Object.fromEntries(this.outcomes);
  }

  private timing(started: number): { durationMs: number; at: string } {
    const now = Date.now();
    return { durationMs: now - started, at: new Date(now).toISOString() };
  }
}
