/**
 * Hot reload in the real `pnpm dev` process, on a copy of two services: a handler edit is served by
 * the next invocation without a restart, and a serverless.yml edit repackages and rewires that
 * service alone.
 */
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_IAM_CALLER_HEADER } from '@blueprints/local-http-api';
import type { DevActivity } from '../src/activityFeed.js';
import { type DevProcess, eventually, startDevProcess } from './helpers/devProcess.js';
import { forkProject } from './helpers/forkProject.js';

const SERVICE = 'event-logger';
/** A second service that runs beside it and must not be touched by its reloads. */
const OTHER = 'qldb-pipe';
/** What the issue asks: a handler edit is live for the next invocation within 3 s. */
const HANDLER_EDIT_BOUND_MS = 3_000;
const CALLER = 'arn:aws:sts::000000000000:assumed-role/event-logger-dev-tenant-A/test';

interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

async function publish(dev: DevProcess, detailType = 'order.placed'): Promise<HttpAnswer> {
  const api = dev.ready.services.find((s) => s.name === SERVICE)?.http?.url;
  const response = await fetch(`${api}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [LOCAL_IAM_CALLER_HEADER]: CALLER },
    body: JSON.stringify({ detailType, context: { brand: 'A', warehouse: 'W1', orderId: 'o-1' }, persist: false }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** `GET /events`: the query handler's answer (400 without a correlationId or detailType). */
async function listEvents(dev: DevProcess): Promise<HttpAnswer> {
  const api = dev.ready.services.find((s) => s.name === SERVICE)?.http?.url;
  const response = await fetch(`${api}/events`, { headers: { [LOCAL_IAM_CALLER_HEADER]: CALLER } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function editFile(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

const linesOf = (dev: DevProcess, pattern: RegExp) =>
  dev
    .output()
    .split('\n')
    .filter((l) => pattern.test(l));

describe('pnpm dev: hot reload', () => {
  let root: string;
  let dev: DevProcess;

  beforeAll(async () => {
    root = forkProject(SERVICE, OTHER);
    dev = await startDevProcess(['--root', root, '--service', SERVICE, '--service', OTHER], 420_000);
    // Each function's first build (what it reads) runs after start-up, in the background.
    await eventually(async () => dev.output().includes('hot reload: watching'), 240_000);
  }, 700_000);

  afterAll(async () => {
    await dev?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('serves a handler edit from the next invocation within 3 s, without a restart', async () => {
    // Prepare: GET /events without a query is answered by the query handler alone (no AWS call)
    const handler = join(root, 'services', SERVICE, 'src', 'handlers', 'query.ts');
    const before = await listEvents(dev);
    expect(before).toEqual({ status: 400, body: expect.objectContaining({ message: 'Invalid request' }) });
    // A touch and an identical rewrite change no content: they rebuild nothing.
    utimesSync(handler, new Date(), new Date());
    writeFileSync(handler, readFileSync(handler));
    await new Promise((r) => setTimeout(r, 1_000));

    // Act
    const written = Date.now();
    editFile(
      handler,
      'return errorResponse(error, logger);',
      "return errorResponse(new HttpError(400, 'edited'), logger);",
    );
    let answer = await listEvents(dev);
    while (answer.body.message !== 'edited' && Date.now() - written < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await listEvents(dev);
    }
    const liveAfterMs = Date.now() - written;

    // Assess
    console.log(`handler edit served ${liveAfterMs} ms after the write; ${linesOf(dev, /^rebuilt /).join('; ')}`);
    expect(answer).toEqual({ status: 400, body: expect.objectContaining({ message: 'edited' }) });
    expect(liveAfterMs).toBeLessThan(HANDLER_EDIT_BOUND_MS);
    expect(dev.child.exitCode).toBeNull();
    // Only the edited function was rebuilt, once (not for the touch), and the terminal said how long it took.
    expect(linesOf(dev, /^rebuilt /)).toEqual([expect.stringMatching(/^rebuilt event-logger\/query in \d+ ms$/)]);
  }, 60_000);

  it('repackages and rewires the service whose serverless.yml changed, and leaves the other alone', async () => {
    // Prepare
    const otherTemplate = join(root, 'services', OTHER, '.serverless', 'cloudformation-template-update-stack.json');
    const otherPackagedAt = statSync(otherTemplate).mtimeMs;

    // Act: a variable (the events' source) and a rule's pattern (what the fair queue receives)
    const yml = join(root, 'services', SERVICE, 'serverless.yml');
    editFile(yml, 'eventSource: blueprints.event-logger', 'eventSource: blueprints.reloaded');
    editFile(yml, 'fairQueueDetailType: order.placed', 'fairQueueDetailType: order.shipped');
    await eventually(async () => linesOf(dev, /^rewired event-logger in /).length > 0, 300_000);
    const answer = await publish(dev, 'order.shipped');

    // Assess
    console.log(linesOf(dev, /^(rewired|event-logger:|rebuilt|hot reload| +note)/).join('\n'));
    expect(answer.status).toBe(200);
    // The repackaged service runs the edited sources: the handler edit is still served.
    expect(await listEvents(dev)).toEqual({ status: 400, body: expect.objectContaining({ message: 'edited' }) });
    const activity = async () => (await (await fetch(`${dev.ready.dashboard}/api/activity`)).json()) as DevActivity[];
    const delivered = await eventually(async () => {
      const all = await activity();
      const toFairQueue = all.find(
        (a) =>
          a.kind === 'queue' &&
          a.queue.endsWith('-orders') &&
          (a.body as Record<string, unknown>)['detail-type'] === 'order.shipped',
      );
      return toFairQueue && all;
    }, 60_000);
    expect(delivered.flatMap((a) => (a.kind === 'bus' ? [a.source] : []))).toContain('blueprints.reloaded');
    expect(dev.child.exitCode).toBeNull();
    expect(statSync(otherTemplate).mtimeMs).toBe(otherPackagedAt);
    expect(linesOf(dev, new RegExp(`(rebuilt|rewired|repackaging).*${OTHER}|${OTHER}:`))).toEqual([]);
  }, 400_000);
});
