/**
 * The service as `pnpm dev` runs it (startLocalStack with its folder, local.ts applied): the
 * dashboard's actions through the HTTP API, the bus, the queues and the table.
 */
import { sourceHandlerLoader } from '@blueprints/local-runtime';
import { type LocalService, type LocalStack, runLocalAction, startLocalStack } from '@blueprints/local-stack';
import { SERVICE_DIR } from './helpers/localTable.js';

let stack: LocalStack;
let service: LocalService;

beforeAll(async () => {
  stack = await startLocalStack({
    services: [SERVICE_DIR],
    logLevel: 'ERROR',
    handlerLoader: (s) => sourceHandlerLoader(s.dir),
  });
  service = stack.services[0] as LocalService;
}, 300_000);

afterAll(async () => {
  await stack?.close();
}, 60_000);

describe('local.ts: the event-logger actions', () => {
  it('publishes a batch as tenants A and B and answers once both persisted orders are readable', async () => {
    // Act
    const result = (await runLocalAction(service.wiring, service.actionContext, 'publish-events', {})) as {
      status: number;
      body: { correlationId: string };
      persisted: { items: Array<{ detailType: string }> };
    };

    // Assess
    expect(result.status).toBe(200);
    expect(result.persisted.items.map((item) => item.detailType)).toEqual(['order.placed', 'order.placed']);
  }, 60_000);

  it('labels the envelope of each event on its bus for the activity feed', async () => {
    // Prepare
    const detail = {
      createdAt: 1767225600000,
      correlationId: '0b7c1a9e-3f0e-4a53-9d7e-1b1a6a0c2f11',
      sequenceNr: 2,
      idempotencyKey: '0b7c1a9e-3f0e-4a53-9d7e-1b1a6a0c2f11:2',
      persist: true,
      context: {},
    };

    // Act
    const labels = service.wiring.describeBusEvent?.(detail);
    const none = service.wiring.describeBusEvent?.({ not: 'an envelope' });

    // Assess
    expect(labels).toEqual({
      correlationId: detail.correlationId,
      sequenceNr: 2,
      idempotencyKey: detail.idempotencyKey,
      persist: true,
    });
    expect(none).toBeUndefined();
  });
});
