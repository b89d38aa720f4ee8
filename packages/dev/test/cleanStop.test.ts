/**
 * Stopping `pnpm dev` always leaves a clean slate: Ctrl-C right after traffic exits 0 quickly with
 * every port released and the archive flushed, Ctrl-C during packaging leaves no lock to wait on,
 * and after `kill -9` the next start takes over the data folder and its PostgreSQL, keeps the data and
 * archives what the killed run had buffered.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listServices } from '../src/devServices.js';
import { type DevProcess, eventually, REPO_ROOT, startDevProcess } from './helpers/devProcess.js';
import { forkProject } from './helpers/forkProject.js';
import {
  filesContaining,
  isRunning,
  postmasterPid,
  releasedPorts,
  reportedPorts,
  timedStop,
  watchDevProcess,
} from './helpers/stopChecks.js';

/** POSTs a dashboard action, as the page does (same origin), and answers its JSON. */
async function dashboardAction(dev: DevProcess, action: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${dev.ready.dashboard}/api/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: dev.ready.dashboard },
    body: '{}',
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** Publishes the dashboard's batch of events (persisted and archived) and answers its correlationId. */
async function publishBatch(dev: DevProcess): Promise<string> {
  const result = (await dashboardAction(dev, 'events')) as { status: number; body: { correlationId: string } };
  expect(result.status).toBe(200);
  return result.body.correlationId;
}

async function persistedCount(dev: DevProcess, correlationId: string): Promise<number> {
  const response = await fetch(`${dev.ready.dashboard}/api/persisted?correlationId=${correlationId}`);
  const result = (await response.json()) as { body?: { items?: unknown[] } };
  return result.body?.items?.length ?? 0;
}

describe('pnpm dev: a clean stop, every time', () => {
  const cleanup: string[] = [];

  afterAll(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 within 10 s with every port released on SIGINT right after a batch of events, 10 times in a row', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'blueprints-stop-'));
    cleanup.push(dataDir);
    const runs: Array<{ code: number | null; ms: number; held: number[]; archived: boolean }> = [];

    for (let run = 0; run < 10; run++) {
      const dev = await startDevProcess(['--data-dir', dataDir]);
      const ports = reportedPorts(dev.ready);
      const correlationId = await publishBatch(dev);
      await dashboardAction(dev, 'sensor-reading');
      await dashboardAction(dev, 'ledger-record');

      // Act
      const { code, ms } = await timedStop(() => dev.stop());

      // Assess (collected, so one report shows every run)
      const free = await releasedPorts(ports);
      runs.push({
        code,
        ms,
        held: ports.filter((p) => !free.includes(p)),
        archived: filesContaining(join(dataDir, 's3'), correlationId).length > 0,
      });
      if (code !== 0) console.error(`run ${run} exited ${code}:\n${dev.output()}`);
    }

    // Assess
    console.log(`stop times (ms): ${runs.map((r) => r.ms).join(', ')}`);
    for (const r of runs) {
      expect(r).toEqual({ code: 0, ms: expect.any(Number), held: [], archived: true });
      expect(r.ms).toBeLessThan(10_000);
    }
    expect(existsSync(join(dataDir, 'dev.pid'))).toBe(false);
    expect(postmasterPid(dataDir)).toBeUndefined();
  }, 1_200_000);

  it('exits at once (130) on a second SIGINT and still removes dev.pid, stops PostgreSQL and releases every port', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'blueprints-twice-'));
    cleanup.push(dataDir);
    const dev = await startDevProcess(['--data-dir', dataDir]);
    const ports = reportedPorts(dev.ready);
    const postmaster = postmasterPid(dataDir) as number;
    await publishBatch(dev);

    // Act
    dev.child.kill('SIGINT');
    // The second Ctrl-C as soon as the first one is being handled (a stop takes about a second).
    while (!dev.output().includes('SIGINT: stopping')) await new Promise((r) => setTimeout(r, 10));
    const code = await dev.stop();

    // Assess
    expect(code).toBe(130);
    expect(existsSync(join(dataDir, 'dev.pid'))).toBe(false);
    // PostgreSQL was told to stop (fast shutdown) on the way out; it finishes on its own.
    await eventually(async () => !isRunning(postmaster), 30_000);
    expect(await eventually(async () => (await releasedPorts(ports)).length === ports.length, 30_000)).toBe(true);
  }, 600_000);

  it('leaves nothing that delays the next start when SIGINT arrives during packaging', async () => {
    // Prepare: a fork of one service, never packaged.
    const service = listServices(REPO_ROOT)[0] as string;
    const root = forkProject(service);
    cleanup.push(root);
    const lock = join(root, 'services', service, '.serverless.lock');
    const first = watchDevProcess(['--root', root]);
    await first.waitFor(new RegExp(`packaging ${service} `), 60_000);
    await eventually(async () => existsSync(lock), 30_000);

    // Act
    const { code, ms } = await timedStop(() => first.stop());
    const lockLeft = existsSync(lock);
    const second = await startDevProcess(['--root', root]);
    const secondOutput = second.output();
    await second.stop();

    // Assess
    console.log(`SIGINT during packaging: exit ${code} after ${ms} ms`);
    expect(code).toBe(0);
    expect(lockLeft).toBe(false);
    expect(secondOutput).not.toMatch(/waiting for pid|taking it over/);
    expect(secondOutput).toContain(`packaging ${service} `);
  }, 600_000);

  it('starts without --reset after kill -9, stopping the orphaned PostgreSQL, keeping the DynamoDB data and archiving the buffered records', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'blueprints-kill9-'));
    cleanup.push(dataDir);
    const first = await startDevProcess(['--data-dir', dataDir]);
    const correlationId = await publishBatch(first);
    // The batch persists an order for tenant A and one for tenant B (SQS → persist → DynamoDB).
    const persisted = await eventually(async () => {
      const count = await persistedCount(first, correlationId);
      return count >= 2 && count;
    }, 60_000);
    const orphan = postmasterPid(dataDir) as number;
    const archivedBeforeKill = filesContaining(join(dataDir, 's3'), correlationId).length;

    // Act
    first.child.kill('SIGKILL');
    await first.stop();
    const orphanSurvived = isRunning(orphan);
    const second = await startDevProcess(['--data-dir', dataDir]);
    const kept = await persistedCount(second, correlationId);
    const output = second.output();
    await second.stop();

    // Assess
    expect(orphanSurvived).toBe(true);
    expect(output).toContain(`pnpm dev (pid ${first.child.pid}) that held it is gone; taking it over`);
    expect(output).toContain(`stopping the PostgreSQL (pid ${orphan}) an earlier run left`);
    expect(isRunning(orphan)).toBe(false);
    expect(kept).toBe(persisted);
    // The archive's records were still buffered when the first run was killed; the second one wrote them.
    expect(archivedBeforeKill).toBe(0);
    expect(filesContaining(join(dataDir, 's3'), correlationId)).not.toHaveLength(0);
  }, 600_000);
});
