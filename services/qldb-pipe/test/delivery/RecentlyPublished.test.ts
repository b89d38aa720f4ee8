import { RecentlyPublished } from '../../src/delivery/RecentlyPublished.js';

describe('Class: RecentlyPublished', () => {
  it('remembers the keys published for a record until the time to live has passed', () => {
    // Prepare
    let now = 1_000;
    const memory = new RecentlyPublished({ ttlMs: 60_000, maxKeys: 100, now: () => now });

    // Act
    memory.remember('shard:1', ['k1', 'k2']);
    const fresh = [memory.has('shard:1', 'k1'), memory.has('shard:1', 'k3'), memory.has('shard:2', 'k1')];
    now += 60_000;
    const expired = memory.has('shard:1', 'k1');

    // Assess
    expect(fresh).toEqual([true, false, false]);
    expect(expired).toBe(false);
    expect(memory.keyCount).toBe(0);
  });

  it('forgets the oldest records first when it holds more keys than allowed', () => {
    // Prepare
    const memory = new RecentlyPublished({ ttlMs: 60_000, maxKeys: 3 });

    // Act
    memory.remember('shard:1', ['a', 'b']);
    memory.remember('shard:2', ['c']);
    memory.remember('shard:3', ['d']);

    // Assess
    expect(memory.has('shard:1', 'a')).toBe(false);
    expect(memory.has('shard:2', 'c')).toBe(true);
    expect(memory.has('shard:3', 'd')).toBe(true);
    expect(memory.keyCount).toBe(2);
  });

  it('remembers nothing with a time to live of 0', () => {
    // Prepare
    const memory = new RecentlyPublished({ ttlMs: 0, maxKeys: 100 });

    // Act
    memory.remember('shard:1', ['a']);

    // Assess
    expect(memory.has('shard:1', 'a')).toBe(false);
  });

  it('forgets a record on request', () => {
    // Prepare
    const memory = new RecentlyPublished({ ttlMs: 60_000, maxKeys: 100 });
    memory.remember('shard:1', ['a', 'b']);

    // Act
    memory.forget('shard:1');

    // Assess
    expect(memory.has('shard:1', 'a')).toBe(false);
    expect(memory.keyCount).toBe(0);
  });
});
