/** How `EventPublisher` retries: attempts per entry and the exponential backoff between them. */
export interface PublishRetryPolicy {
  /** PutEvents calls an entry may ride in, first one included (>= 1). */
  maxAttempts: number;
  /** The backoff ceiling before the first retry, doubled on each retry. */
  baseDelayMs: number;
  /** No wait is ever longer than this. */
  maxDelayMs: number;
}

export const DEFAULT_PUBLISH_RETRY_POLICY: PublishRetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 3000 };

/**
 * "Full jitter" exponential backoff: a uniformly random wait in [0, min(maxDelayMs, baseDelayMs × 2^(retry-1))).
 * Spreads concurrent retries out so throttled producers do not retry in lockstep.
 *
 * @param retry 1 before the first retry, 2 before the second, ...
 * @param random a value in [0, 1) (Math.random by default)
 * @example
 * fullJitterBackoff(3, { baseDelayMs: 100, maxDelayMs: 3000 }, () => 0.5); // 200
 */
export function fullJitterBackoff(
  retry: number,
  policy: Pick<PublishRetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
