/**
 * The idempotency keys this container saw EventBridge accept, per Kinesis record, for a while.
 *
 * When a batch fails in part, the pipe hands the failed Kinesis records to the function again
 * (partial batch response). An aggregated record holds many QLDB records; without this memory every
 * retry would publish the ones that already went out again. Pipes reads a shard one batch at a time,
 * so the retry usually lands on the same warm container, which then skips those events.
 * A retry on another container publishes them again: consumers still see the same idempotency key,
 * and the number of such retries is bounded by the pipe's `MaximumRetryAttempts`.
 * Only events EventBridge answered with an EventId are remembered; an unknown outcome is sent again.
 *
 * @example
 * const memory = new RecentlyPublished({ ttlMs: 15 * 60_000, maxKeys: 100_000 });
 * memory.remember('shardId-000000000000:4959…', ['qldb/…/1']);
 * memory.has('shardId-000000000000:4959…', 'qldb/…/1'); // true
 */
export class RecentlyPublished {
  private readonly records = new Map<string, { keys: Set<string>; expiresAt: number }>();
  private size = 0;
  private readonly ttlMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: { ttlMs: number; maxKeys: number; now?: () => number }) {
    this.ttlMs = options.ttlMs;
    this.maxKeys = options.maxKeys;
    this.now = options.now ?? Date.now;
  }

  /** Keys remembered now, all records together. */
  get keyCount(): number {
    return this.size;
  }

  has(recordId: string, key: string): boolean {
    const entry = this.records.get(recordId);
    if (!entry) return false;
    if (entry.expiresAt <= this.now()) {
      this.forget(recordId);
      return false;
    }
    return entry.keys.has(key);
  }

  remember(recordId: string, keys: Iterable<string>): void {
    if (this.ttlMs <= 0) return;
    this.evictExpired();
    const entry = this.records.get(recordId) ?? { keys: new Set<string>(), expiresAt: 0 };
    // Map order is insertion order: delete and set again so the record counts as the newest.
    this.records.delete(recordId);
    this.records.set(recordId, entry);
    entry.expiresAt = this.now() + this.ttlMs;
    for (const key of keys) {
      if (entry.keys.has(key)) continue;
      entry.keys.add(key);
      this.size++;
    }
    // Bounded memory: drop the oldest records first.
    for (const [oldest] of this.records) {
      if (this.size <= this.maxKeys || oldest === recordId) break;
      this.forget(oldest);
    }
  }

  /** A record whose events are all published needs no memory any more. */
  forget(recordId: string): void {
    const entry = this.records.get(recordId);
    if (!entry) return;
    this.size -= entry.keys.size;
    this.records.delete(recordId);
  }

  private evictExpired(): void {
    const now = this.now();
    for (const [recordId, entry] of this.records) {
      if (entry.expiresAt <= now) this.forget(recordId);
    }
  }
}
