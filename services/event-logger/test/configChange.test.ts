/**
 * The local stack reads behaviour from the packaged template, never from code of its own: a rule's
 * event pattern and a target parameter changed in serverless.yml change what happens locally, with
 * the shared packages untouched. Runs the service as `pnpm dev` does (startLocalStack with its folder,
 * its built bundles), once as committed and once from an edited copy.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type LocalService, startLocalStack } from '@blueprints/local-stack';
import { isBuildOutput } from '@blueprints/packaging';
import { SERVICE_DIR } from './helpers/localTable.js';

const NOT_COPIED = new Set(['node_modules', '.local', 'test', 'test-results']);
/** Not copied: installed packages, local data, tests, and every package folder, lock and build folder. */
const copied = (path: string) => !NOT_COPIED.has(basename(path)) && !isBuildOutput(basename(path));
/** A standalone fork holds the service at its root, its build files beside serverless.yml. */
const STANDALONE = existsSync(join(SERVICE_DIR, 'esbuild.config.cjs'));

/**
 * A copy of this service (its sources and serverless.yml) laid out as it is here: in the monorepo, a
 * project with `services/<name>` and the shared build files; in a standalone fork, the project itself.
 * Installed packages are linked from here, so nothing needs installing.
 */
function forkProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'blueprints-config-fork-'));
  const target = STANDALONE ? join(root, basename(SERVICE_DIR)) : join(root, 'services', basename(SERVICE_DIR));
  cpSync(SERVICE_DIR, target, { recursive: true, filter: copied });
  symlinkSync(join(SERVICE_DIR, 'node_modules'), join(target, 'node_modules'));
  if (!STANDALONE) {
    const repoRoot = join(SERVICE_DIR, '..', '..');
    symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
    for (const file of ['serverless.shared.yml', 'esbuild.config.cjs', 'tsconfig.base.json', 'package.json']) {
      cpSync(join(repoRoot, file), join(root, file));
    }
  }
  return target;
}

function editServerlessYml(serviceDir: string, edits: Array<[from: string, to: string]>): void {
  const file = join(serviceDir, 'serverless.yml');
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  writeFileSync(file, text);
}

/** The local caller header of tenant A's role session (`TENANT_ROLE_PREFIX` + tenant). */
function tenantA(service: LocalService): Record<string, string> {
  const prefix = service.functions.find((f) => f.environment.TENANT_ROLE_PREFIX)?.environment.TENANT_ROLE_PREFIX;
  const { accountId } = service.actionContext;
  return service.actionContext.iamCallerHeaders(`arn:aws:sts::${accountId}:assumed-role/${prefix}A/test`);
}

/**
 * Starts the service in `serviceDir`, publishes an order.placed and an order.shipped event through
 * POST /events, and answers what the fair queue's rule delivered (detail-type and MessageGroupId).
 */
async function publishAndObserve(serviceDir: string): Promise<Array<{ detailType: string; messageGroupId?: string }>> {
  const stack = await startLocalStack({ services: [serviceDir], logLevel: 'WARN' });
  try {
    const [service] = stack.services as [LocalService];
    const context = { brand: 'A', warehouse: 'W1', orderId: 'o-1' };
    const response = await fetch(`${service.http?.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...tenantA(service) },
      body: JSON.stringify({
        events: [
          { detailType: 'order.placed', context, persist: true },
          { detailType: 'order.shipped', context, persist: true },
        ],
      }),
    });
    expect(response.status).toBe(200);
    // What the rule delivered to the fair queue is all this asks: no need to wait for its consumer.
    await stack.bus.idle();
    return stack.bus.deliveries
      .filter((d) => d.targetArn.endsWith('-orders'))
      .map((d) => ({
        detailType: String((JSON.parse(d.payload) as { 'detail-type': string })['detail-type']),
        ...(d.messageGroupId ? { messageGroupId: d.messageGroupId } : {}),
      }));
  } finally {
    await stack.close();
  }
}

describe('startLocalStack: behaviour comes from serverless.yml', () => {
  const cleanup: string[] = [];

  afterAll(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('routes order.placed to the fair queue, grouped by brand, with the committed serverless.yml', async () => {
    // Act
    const deliveries = await publishAndObserve(SERVICE_DIR);

    // Assess
    expect(deliveries).toEqual([{ detailType: 'order.placed', messageGroupId: 'A' }]);
  }, 120_000);

  it('routes order.shipped instead, grouped by warehouse, after the rule pattern and MessageGroupId change', async () => {
    // Prepare
    const serviceDir = forkProject();
    cleanup.push(STANDALONE ? join(serviceDir, '..') : join(serviceDir, '..', '..'));
    editServerlessYml(serviceDir, [
      ['fairQueueDetailType: order.placed', 'fairQueueDetailType: order.shipped'],
      ['MessageGroupId: $.detail.context.brand', 'MessageGroupId: $.detail.context.warehouse'],
    ]);

    // Act: the packaged template follows the edit (ensurePackaged packages on start after any change)
    const deliveries = await publishAndObserve(serviceDir);

    // Assess
    const template = readFileSync(join(serviceDir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8');
    expect(template).toContain('"order.shipped"');
    expect(deliveries).toEqual([{ detailType: 'order.shipped', messageGroupId: 'W1' }]);
  }, 300_000);
});
