/**
 * Stopping `pnpm dev` always leaves a clean slate: Ctrl-C right after traffic exits 0 quickly with
 * every port released and the archive flushed, Ctrl-C during packaging leaves no lock to wait on,
 * and after `kill -9` the next start takes over the data folder and its PostgreSQL, keeps the data and
 * archives what the killed run had buffered. The test knows no service: its traffic is every action
 * the running services declare (GET /api/config), and it reads the data back through the stand-ins.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, paginateListTables, paginateScan } from '@aws-sdk/client-dynamodb';
import { listServices } from '../src/devServices.js';
import {
  type DevProcess,
  eventually,
  REPO_ROOT,
  startDevProcess,
  stopDevProcessesLeftRunning,
} from './helpers/devProcess.js';
import { forkProject } from './helpers/forkProject.js';
import {
  isRunning,
  postmasterPid,
  releasedPorts,
  reportedPorts,
  spooledRecords,
  timedStop,
  unarchivedRecords,
  watchDevProcess,
} from './helpers/stopChecks.js';

interface DashboardConfig {
  region: string;
  services: Array<{ name: string; actions: Array<{ id: string; input?: unknown }> }>;
}

/**
 * Runs every action the services declare, all at once (a burst of traffic), each with its example
 * input, and answers how each ended (`<service>/<id>` → HTTP status). An action may fail (the
 * dashboard answers 500 and records the error as that action's outcome); the route itself must not.
 */
async function runEveryAction(dev: DevProcess): Promise<Record<string, number>> {
  const config = (await (await fetch(`${dev.ready.dashboard}/api/config`)).json()) as DashboardConfig;
  const actions = config.services.flatMap((s) => s.actions.map((a) => ({ service: s.name, ...a })));
  expect(actions.length).toBeGreaterThan(0);
  const statuses = await Promise.all(
    actions.map(async ({ service, id, input }) => {
      const response = await fetch(`${dev.ready.dashboard}/api/services/${service}/actions/${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: dev.ready.dashboard },
        body: JSON.stringify(input ?? {}),
      });
      await response.json();
      return [`${service}/${id}`, response.status] as const;
    }),
  );
  const outcomes = (await (await fetch(`${dev.ready.dashboard}/api/actions/last-outcomes`)).json()) as Record<
    string,
    { outcome: 'ok' | 'error' }
  >;
  // 200 for an action that answered, 500 only for one that ran and failed (its outcome says so).
  for (const [key, status] of statuses) {
    expect(`${key} ${outcomes[key] ? 'ran' : 'did not run'}`).toBe(`${key} ran`);
    expect(`${key} ${status}`).toBe(`${key} ${outcomes[key]?.outcome === 'ok' ? 200 : 500}`);
  }
  return Object.fromEntries(statuses);
}

/** Every DynamoDB table of the running stand-in (endpoint from the ready line) with its item count. */
async function dynamoDbCounts(dev: DevProcess): Promise<Record<string, number>> {
  const config = (await (await fetch(`${dev.ready.dashboard}/api/config`)).json()) as DashboardConfig;
  const client = new DynamoDBClient({
    endpoint: String(dev.ready.endpoints.dynamodb),
    region: config.region,
    // The local stand-in checks no signature; the SDK needs some credentials to sign with.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const counts: Record<string, number> = {};
    for await (const page of paginateListTables({ client }, {})) {
      for (const table of page.TableNames ?? []) {
        let count = 0;
        for await (const scanned of paginateScan({ client }, { TableName: table, Select: 'COUNT' })) {
          count += scanned.Count ?? 0;
        }
        counts[table] = count;
      }
    }
    return counts;
  } finally {
    client.destroy();
  }
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

/**
 * The table counts once writes have settled (queue consumers write after the action answered): two
 * readings a second apart that agree.
 */
async function settledDynamoDbCounts(dev: DevProcess): Promise<Record<string, number>> {
  let last = JSON.stringify(await dynamoDbCounts(dev));
  return eventually(async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const counts = await dynamoDbCounts(dev);
    const same = JSON.stringify(counts) === last;
    last = JSON.stringify(counts);
    return same && counts;
  }, 60_000);
}

describe('pnpm dev: a clean stop, every time', () => {
  const cleanup: string[] = [];

  // A failed assertion between a start and its stop must not leave a pnpm dev (and its PostgreSQL) running.
  afterEach(() => stopDevProcessesLeftRunning(), 60_000);

  afterAll(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 within 10 s with every port released and the archive flushed on SIGINT right after every action ran, 10 times in a row', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'blueprints-stop-'));
    cleanup.push(dataDir);
    const runs: Array<{ code: number | null; ms: number; held: number[]; spooled: number; unarchived: string[] }> = [];

    for (let run = 0; run < 10; run++) {
      const dev = await startDevProcess(['--data-dir', dataDir]);
      const ports = reportedPorts(dev.ready);
      await runEveryAction(dev);
      // What reached an archive and is still buffered (Firehose buffers for a minute): the stop writes it.
      const spooled = spooledRecords(dataDir);

      // Act
      const { code, ms } = await timedStop(() => dev.stop());

      // Assess (collected, so one report shows every run)
      const free = await releasedPorts(ports);
      runs.push({
        code,
        ms,
        held: ports.filter((p) => !free.includes(p)),
        spooled: spooledRecords(dataDir).length,
        unarchived: unarchivedRecords(dataDir, spooled),
      });
      console.log(`run ${run}: ${spooled.length} record(s) buffered for an archive at SIGINT`);
      if (code !== 0) console.error(`run ${run} exited ${code}:\n${dev.output()}`);
    }

    // Assess
    console.log(`stop times (ms): ${runs.map((r) => r.ms).join(', ')}`);
    for (const r of runs) {
      expect(r).toEqual({ code: 0, ms: expect.any(Number), held: [], spooled: 0, unarchived: [] });
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
    await runEveryAction(dev);

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
    const countsAtStart = await dynamoDbCounts(first);
    await runEveryAction(first);
    const countsBeforeKill = await settledDynamoDbCounts(first);
    const spooledAtKill = spooledRecords(dataDir);
    const orphan = postmasterPid(dataDir) as number;

    // Act
    first.child.kill('SIGKILL');
    await first.stop();
    const orphanSurvived = isRunning(orphan);
    const second = await startDevProcess(['--data-dir', dataDir]);
    const countsAfterRestart = await dynamoDbCounts(second);
    const output = second.output();
    await second.stop();

    // Assess
    console.log(
      `kill -9: tables ${JSON.stringify(countsBeforeKill)}, ${spooledAtKill.length} record(s) buffered for an archive`,
    );
    expect(total(countsBeforeKill)).toBeGreaterThan(total(countsAtStart));
    expect(countsAfterRestart).toEqual(countsBeforeKill);
    expect(orphanSurvived).toBe(true);
    expect(output).toContain(`pnpm dev (pid ${first.child.pid}) that held it is gone; taking it over`);
    expect(output).toContain(`stopping the PostgreSQL (pid ${orphan}) an earlier run left`);
    expect(isRunning(orphan)).toBe(false);
    // The killed run could not write what it had buffered; the next one did, by its stop at the latest.
    expect(unarchivedRecords(dataDir, spooledAtKill)).toEqual([]);
    expect(spooledRecords(dataDir)).toEqual([]);
  }, 600_000);
});
