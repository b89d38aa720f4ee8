/**
 * The dev environment reads behaviour from the packaged template, never from code of its own: a
 * rule's event pattern and a target parameter changed in a service's serverless.yml change what
 * happens locally after a restart, with the shared packages untouched.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_IAM_CALLER_HEADER } from '@blueprints/local-http-api';
import type { DevActivity } from '../src/activityFeed.js';
import { type DevProcess, eventually, startDevProcess } from './helpers/devProcess.js';
import { forkProject } from './helpers/forkProject.js';

const SERVICE = 'event-logger';
/** pnpm dev's account id when none is configured; the caller's role must be in it. */
const DEV_ACCOUNT_ID = '000000000000';
function editServerlessYml(root: string, edits: Array<[from: string, to: string]>): void {
  const file = join(root, 'services', SERVICE, 'serverless.yml');
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  writeFileSync(file, text);
}

interface FairQueueDelivery {
  detailType: string;
  messageGroupId?: string;
}

/**
 * Publishes an order.placed and an order.shipped event through POST /events, waits until both are
 * persisted (the persist queue has a 1 s batching window, so the fair queue, polled without one, has
 * long been served), and returns what brandConsumer received.
 */
async function publishAndObserve(dev: DevProcess): Promise<FairQueueDelivery[]> {
  const api = dev.ready.services.find((s) => s.name === SERVICE)?.http?.url;
  const context = { brand: 'A', warehouse: 'W1', orderId: 'o-1' };
  const response = await fetch(`${api}/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [LOCAL_IAM_CALLER_HEADER]: `arn:aws:sts::${DEV_ACCOUNT_ID}:assumed-role/event-logger-dev-tenant-A/test`,
    },
    body: JSON.stringify({
      events: [
        { detailType: 'order.placed', context, persist: true },
        { detailType: 'order.shipped', context, persist: true },
      ],
    }),
  });
  expect(response.status).toBe(200);
  const activity = async () => (await (await fetch(`${dev.ready.dashboard}/api/activity`)).json()) as DevActivity[];
  const queued = await eventually(async () => {
    const all = await activity();
    const persisted = all.filter((a) => a.kind === 'queue' && a.queue.endsWith('-persist'));
    return persisted.length >= 2 && all;
  }, 30_000);
  return queued
    .filter((a) => a.kind === 'queue' && a.queue.endsWith('-orders'))
    .map((a) => {
      const q = a as Extract<DevActivity, { kind: 'queue' }>;
      return {
        detailType: String((q.body as { 'detail-type'?: string })['detail-type']),
        ...(q.messageGroupId ? { messageGroupId: q.messageGroupId } : {}),
      };
    });
}

describe('pnpm dev: behaviour comes from serverless.yml', () => {
  const cleanup: string[] = [];

  afterAll(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('routes order.placed to the fair queue, grouped by brand, with the committed serverless.yml', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'blueprints-dev-'));
    cleanup.push(dataDir);
    const dev = await startDevProcess(['--service', SERVICE, '--data-dir', dataDir]);

    // Act
    const deliveries = await publishAndObserve(dev).finally(() => dev.stop());

    // Assess
    expect(deliveries).toEqual([{ detailType: 'order.placed', messageGroupId: 'A' }]);
  }, 120_000);

  it('routes order.shipped instead, grouped by warehouse, after the rule pattern and MessageGroupId change', async () => {
    // Prepare
    const root = forkProject(SERVICE);
    cleanup.push(root);
    editServerlessYml(root, [
      ['fairQueueDetailType: order.placed', 'fairQueueDetailType: order.shipped'],
      ['MessageGroupId: $.detail.context.brand', 'MessageGroupId: $.detail.context.warehouse'],
    ]);
    // The packaged template follows the edit (packaged on start, as ensurePackaged does for any change).
    const dev = await startDevProcess(['--root', root, '--service', SERVICE]);

    // Act
    const deliveries = await publishAndObserve(dev).finally(() => dev.stop());

    // Assess
    const template = readFileSync(
      join(root, 'services', SERVICE, '.serverless', 'cloudformation-template-update-stack.json'),
      'utf8',
    );
    expect(template).toContain('"order.shipped"');
    expect(deliveries).toEqual([{ detailType: 'order.shipped', messageGroupId: 'W1' }]);
  }, 300_000);
});
