import { type PackagingProgress, reportPackaging } from '../src/index.js';

describe('Function: reportPackaging()', () => {
  it('reports the start, a heartbeat while the work runs, and the end', async () => {
    // Prepare
    const events: PackagingProgress[] = [];
    const work = () => new Promise<string>((resolve) => setTimeout(() => resolve('zips'), 120));

    // Act
    const result = await reportPackaging('/repo/services/app', work, (p) => events.push(p), 20);

    // Assess
    expect(result).toBe('zips');
    expect(events[0]).toEqual({ kind: 'packaging', serviceDir: '/repo/services/app' });
    expect(events.at(-1)).toEqual({
      kind: 'packaged',
      serviceDir: '/repo/services/app',
      elapsedMs: expect.any(Number),
    });
    const beats = events.filter((e) => e.kind === 'still-packaging');
    expect(beats.length).toBeGreaterThanOrEqual(1);
    const elapsed = beats.map((e) => (e as { elapsedMs: number }).elapsedMs);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
  });

  it('stops the heartbeat and reports no end when the work fails', async () => {
    // Prepare
    const events: PackagingProgress[] = [];
    const work = () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('osls failed')), 50));

    // Act
    const outcome = reportPackaging('/repo/services/app', work, (p) => events.push(p), 10);

    // Assess
    await expect(outcome).rejects.toThrow('osls failed');
    const count = events.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events.length).toBe(count);
    expect(events.some((e) => e.kind === 'packaged')).toBe(false);
  });
});
