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
  private readonly outcomes = new Map<string, ActionOutcome & { startedAt: number }>();

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
    const startedAt = Date.now();
    const keep = (outcome: ActionOutcome) => {
      if ((this.outcomes.get(key)?.startedAt ?? 0) <= startedAt) this.outcomes.set(key, { ...outcome, startedAt });
    };
    const timing = () => ({ durationMs: Date.now() - startedAt, at: new Date().toISOString() });
    try {
      const result = await action();
      keep({ outcome: 'ok', result, ...timing() });
      return result;
    } catch (error) {
      keep({ outcome: 'error', error: describeError(error), ...timing() });
      throw error;
    }
  }

  /** Every kept outcome by `<service>/<action id>`. */
  all(): Record<string, ActionOutcome> {
    return Object.fromEntries([...this.outcomes].map(([key, { startedAt: _, ...outcome }]) => [key, outcome]));
  }
}
