import { join } from 'node:path';
import { formatRatio, formatSample, type Sample, summarize } from '../harness/statistics.js';
import type { Benchmark, BenchmarkOutcome } from '../harness/types.js';
import { notAvailable } from '../harness/types.js';
import { importFrom, missingFiles } from '../harness/workspaceImport.js';

type EventsModule = typeof import('@blueprints/common');
type EventBusModule = typeof import('@blueprints/local-eventbridge');
interface EventBridgeSdk {
  EventBridgeClient: new (
    config: Record<string, unknown>,
  ) => { send(command: unknown): Promise<unknown>; destroy(): void };
}

/** A context of the size the services publish (an order-like object, ~300 bytes of JSON). */
function orderContext(i: number): Record<string, unknown> {
  return {
    brand: ['alpha', 'bravo', 'charlie'][i % 3],
    orderId: `o-${i.toString().padStart(8, '0')}`,
    customerId: `c-${(i * 7919) % 100_000}`,
    lines: [
      { sku: 'SKU-1001', quantity: 1 + (i % 4), unitPrice: 12.5 },
      { sku: 'SKU-2002', quantity: 1, unitPrice: 99.99 },
    ],
    total: 12.5 * (1 + (i % 4)) + 99.99,
    currency: 'EUR',
    placedAt: new Date(1_767_225_600_000 + i * 1000).toISOString(),
  };
}

export const eventPublishing: Benchmark = {
  name: 'events',
  title: '6. Event publishing: EventPublisher into the local bus, 10-entry batches vs one PutEvents per event',
  async run(context): Promise<BenchmarkOutcome> {
    const missing = missingFiles(context.repoRoot, [
      'packages/common/src/events/EventPublisher.ts',
      'packages/local-eventbridge/src/LocalEventBridge.ts',
    ]);
    if (missing.length > 0) return notAvailable(`missing ${missing.join(', ')}`);
    const { EventPublisher } = (await import('@blueprints/common')) as EventsModule;
    const { LocalEventBridge } = (await import('@blueprints/local-eventbridge')) as EventBusModule;
    const { EventBridgeClient } = await importFrom<EventBridgeSdk>(
      join(context.repoRoot, 'packages', 'common'),
      '@aws-sdk/client-eventbridge',
    );

    const eventsPerRound = context.quick ? 300 : 2000;
    const rounds = context.quick ? 2 : 7;
    /** Events per unit of work (one publisher, one flush) in the batched mode. */
    const unitOfWork = 100;
    const bus = await LocalEventBridge.start({ port: 0 });
    const client = new EventBridgeClient({
      endpoint: bus.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    let accepted = 0;
    bus.onEvent(() => {
      accepted++;
    });
    const publisher = () => new EventPublisher({ client, eventBusName: 'default', source: 'blueprints.bench' });

    const modes = {
      /** Units of work of 100 events: publish them all, then one flush (PutEvents calls of 10 entries). */
      batched: async (count: number) => {
        for (let done = 0; done < count; done += unitOfWork) {
          const p = publisher();
          for (let i = done; i < Math.min(count, done + unitOfWork); i++) p.publish('order.placed', orderContext(i));
          await p.flush();
        }
      },
      /** The same publisher, flushed after every event: one PutEvents call per event. */
      single: async (count: number) => {
        for (let done = 0; done < count; done += unitOfWork) {
          const p = publisher();
          for (let i = done; i < Math.min(count, done + unitOfWork); i++) {
            p.publish('order.placed', orderContext(i));
            await p.flush();
          }
        }
      },
    };
    const rates: Record<keyof typeof modes, number[]> = { batched: [], single: [] };
    try {
      await modes.batched(100); // warm-up: connections, JIT
      await modes.single(100);
      for (let round = 0; round < rounds; round++) {
        for (const mode of ['batched', 'single'] as const) {
          const before = accepted;
          const started = performance.now();
          await modes[mode](eventsPerRound);
          const seconds = (performance.now() - started) / 1000;
          if (accepted - before !== eventsPerRound) {
            throw new Error(`${mode}: the bus accepted ${accepted - before} of ${eventsPerRound} events`);
          }
          rates[mode].push(eventsPerRound / seconds);
        }
      }
    } finally {
      client.destroy();
      await bus.close();
    }
    const batched: Sample = summarize(rates.batched);
    const single: Sample = summarize(rates.single);
    const ratios = rates.batched.map((r, i) => r / (rates.single[i] as number));
    return {
      status: 'ok',
      tables: [
        {
          columns: ['mode', 'events/s', 'PutEvents calls per 100 events'],
          rows: [
            ['EventPublisher, 10-entry batches', formatSample(batched), '10'],
            ['EventPublisher, one PutEvents per event', formatSample(single), '100'],
            ['batched / one per event (per round)', formatSample(summarize(ratios)), ''],
          ],
        },
      ],
      targets: [],
      notes: [
        `${rounds} rounds of ${eventsPerRound} events per mode, modes alternating, after a 100-event warm-up; every event counted as accepted by the bus (LocalEventBridge.onEvent) before a round counts.`,
        'Real AWS SDK v3 EventBridgeClient (maxAttempts 1) over HTTP to LocalEventBridge on 127.0.0.1; the default bus, no rules; ~300-byte order-like contexts; one EventPublisher per 100-event unit of work, calls sequential (as in one Lambda invocation).',
        `Ratio: ${formatRatio(batched.median / single.median)} (medians).`,
      ],
      data: { eventsPerRound, rounds, unitOfWork, eventsPerSecond: { batched, single }, rawRates: rates, ratios },
    };
  },
};
