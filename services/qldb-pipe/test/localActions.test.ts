/**
 * The service as `pnpm dev` runs it (startLocalStack with its folder, local.ts applied): the
 * dashboard's demo ledger record goes through the pipe, enrich and the bus.
 */
import { join } from 'node:path';
import type { EventBridgeEvent } from '@blueprints/local-eventbridge';
import { sourceHandlerLoader } from '@blueprints/local-runtime';
import { type LocalService, type LocalStack, runLocalAction, startLocalStack } from '@blueprints/local-stack';

const SERVICE_DIR = join(import.meta.dirname, '..');

let stack: LocalStack;
let service: LocalService;
const events: EventBridgeEvent[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    services: [SERVICE_DIR],
    logLevel: 'ERROR',
    pollIntervalMs: 20,
    handlerLoader: (s) => sourceHandlerLoader(s.dir),
  });
  service = stack.services[0] as LocalService;
  stack.bus.onEvent((event) => events.push(event));
}, 300_000);

afterAll(async () => {
  await stack?.close();
}, 60_000);

describe('local.ts: the ledger-record action', () => {
  it('puts the sample record on the stream: its block summary and three revisions reach the bus as pipe output', async () => {
    // Act
    const result = (await runLocalAction(service.wiring, service.actionContext, 'ledger-record', {})) as {
      streamName: string;
      records: number;
    };
    await stack.settle();

    // Assess
    expect(result.streamName).toBe(service.pipes?.pipes[0]?.streamName);
    expect(service.pipeBuses.length).toBeGreaterThan(0);
    const types = events.map((e) => e['detail-type']);
    expect(types.filter((t) => t === 'REVISION_DETAILS')).toHaveLength(3);
    expect(types.filter((t) => t === 'BLOCK_SUMMARY')).toHaveLength(1);
  }, 120_000);
});
