import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { type EventBridgeEvent, LocalEventBridge } from '@blueprints/local-eventbridge';
import { oslsBin } from '@blueprints/packaging';
import { ACCOUNT_ID, REGION } from '../helpers/factories.js';
import { packagedResolver, SERVICE_DIR, startEventsTable } from '../helpers/localTable.js';

const run = promisify(execFile);
const OSLS = oslsBin(SERVICE_DIR);

/** Runs `osls invoke local -f <fn> -p events/<fn>.json` and returns the handler result it printed. */
async function invokeLocal(
  fn: string,
  env: Record<string, string>,
): Promise<{ result: unknown; stdout: string; stderr: string }> {
  const { NODE_OPTIONS: _jestFlags, ...inherited } = process.env;
  const { stdout, stderr } = await run(
    process.execPath,
    [OSLS, 'invoke', 'local', '-f', fn, '-p', `events/${fn}.json`],
    {
      cwd: SERVICE_DIR,
      env: {
        ...inherited,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        SLS_TELEMETRY_DISABLED: '1',
        ...env,
      },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  // osls prints the result last, pretty-printed; log lines before it are single-line JSON.
  const start = stdout.lastIndexOf('\n{\n');
  const text = start >= 0 ? stdout.slice(start + 1) : stdout.slice(stdout.indexOf('{'));
  return { result: JSON.parse(text), stdout, stderr };
}

describe('osls invoke local', () => {
  beforeAll(async () => {
    await packagedResolver();
  }, 180_000);

  it('publishes the sample events to a running local bus', async () => {
    // Prepare
    const bus = await LocalEventBridge.start({ region: REGION, accountId: ACCOUNT_ID });
    bus.addEventBus('event-logger-dev');
    const seen: EventBridgeEvent[] = [];
    bus.onEvent((event) => seen.push(event));

    try {
      // Act
      const { result } = await invokeLocal('publish', { AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint });

      // Assess
      const response = result as { statusCode: number; body: string };
      expect(response.statusCode).toBe(200);
      const body = JSON.parse(response.body) as {
        correlationId: string;
        events: Array<{ eventId: string; sequenceNr: number }>;
      };
      expect(body.events.map((e) => e.sequenceNr)).toEqual([1, 2, 3]);
      expect(seen.map((e) => e.id)).toEqual(body.events.map((e) => e.eventId));
      expect(seen.map((e) => [e['detail-type'], e.detail.correlationId, e.detail.sequenceNr])).toEqual([
        ['order.placed', body.correlationId, 1],
        ['order.placed', body.correlationId, 2],
        ['cart.viewed', body.correlationId, 3],
      ]);
      expect(seen[0]?.source).toBe('blueprints.event-logger');
    } finally {
      await bus.close();
    }
  }, 180_000);

  it('answers 502 listing every event failed when no bus is reachable', async () => {
    // Prepare: a port nothing listens on
    const bus = await LocalEventBridge.start();
    const endpoint = bus.endpoint;
    await bus.close();

    // Act
    const { result } = await invokeLocal('publish', { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint });

    // Assess: the connection was refused, so nothing can be on the bus
    const response = result as { statusCode: number; body: string };
    expect(response.statusCode).toBe(502);
    const body = JSON.parse(response.body) as { message: string; failed: Array<{ sequenceNr: number }> };
    expect(body.message).toBe('3 of 3 events were not confirmed as published (3 failed, 0 unknown): ECONNREFUSED');
    expect(body.failed.map((e) => e.sequenceNr)).toEqual([1, 2, 3]);
  }, 180_000);

  it('answers 502 listing every event unknown within the function timeout when the bus accepts and never answers', async () => {
    // Prepare: a loopback port that accepts connections and never sends a byte
    const sockets = new Set<Socket>();
    let firstConnectionAt = 0;
    const stalled = createServer((socket) => {
      firstConnectionAt ||= Date.now();
      sockets.add(socket);
    });
    stalled.listen(0, '127.0.0.1');
    await once(stalled, 'listening');
    const endpoint = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;

    try {
      // Act
      const { result, stderr } = await invokeLocal('publish', { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint });
      const printedAfterMs = Date.now() - firstConnectionAt;

      // Assess: the handler answered (its ERROR line is logged as it returns the 502) within the 10 s function
      // timeout, counted from its first call. The printed answer comes later by osls's own exit work, which
      // is not part of the function's time and grows with the machine's load. Powertools writes errors to stderr.
      const answerLog = stderr
        .split('\n')
        .filter((line) => line.startsWith('{"level":"ERROR"'))
        .map((line) => JSON.parse(line) as { timestamp: string })
        .at(-1);
      expect(answerLog).toBeDefined();
      const answeredAfterMs = Date.parse(answerLog?.timestamp ?? '') - firstConnectionAt;
      console.log(
        `osls invoke local -f publish, stalled EventBridge: answered ${answeredAfterMs} ms after its first call (printed after ${printedAfterMs} ms)`,
      );
      expect(firstConnectionAt).toBeGreaterThan(0);
      expect(answeredAfterMs).toBeLessThan(10_000);
      const response = result as { statusCode: number; body: string };
      expect(response.statusCode).toBe(502);
      const body = JSON.parse(response.body) as { unknown: Array<{ sequenceNr: number; errorCode: string }> };
      expect(body.unknown.map((e) => e.sequenceNr)).toEqual([1, 2, 3]);
      expect(response.body).not.toMatch(/arn:aws|Role/);
    } finally {
      for (const socket of sockets) socket.destroy();
      stalled.close();
    }
  }, 180_000);

  it('consumes the sample fair-queue batch, one QueueWait metric per brand', async () => {
    // Act
    const { result, stdout } = await invokeLocal('brandConsumer', {});

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const metrics = stdout
      .split('\n')
      .filter((line) => line.startsWith('{"_aws"'))
      .map((line) => JSON.parse(line) as { brand: string; QueueWait: number });
    expect(metrics.map((m) => m.brand)).toEqual(['A', 'B']);
    expect(metrics.every((m) => m.QueueWait >= 0)).toBe(true);
  }, 180_000);

  it('persists the sample SQS batch into local DynamoDB once, even when invoked twice, then queries it', async () => {
    // Prepare
    const table = await startEventsTable();
    const sample = JSON.parse(readFileSync(join(SERVICE_DIR, 'events', 'persist.json'), 'utf8')) as {
      Records: Array<{ body: string }>;
    };
    const ids = sample.Records.map((r) => (JSON.parse(r.body) as { id: string }).id).sort();

    try {
      // Act
      const first = await invokeLocal('persist', { AWS_ENDPOINT_URL_DYNAMODB: table.endpoint });
      const second = await invokeLocal('persist', { AWS_ENDPOINT_URL_DYNAMODB: table.endpoint });

      // Assess
      expect(first.result).toEqual({ batchItemFailures: [] });
      expect(second.result).toEqual({ batchItemFailures: [] });
      expect(second.stdout).toContain('duplicate skipped');
      const { Items = [] } = await table.client.send(new ScanCommand({ TableName: table.tableName }));
      const events = Items.filter((i) => i.event?.S).map((i) => i.pk?.S);
      expect(events.sort()).toEqual(ids);
      expect(Items.filter((i) => i.pk?.S?.startsWith('idempotency#'))).toHaveLength(2);
      const query = await invokeLocal('query', { AWS_ENDPOINT_URL_DYNAMODB: table.endpoint });
      const response = query.result as { statusCode: number; body: string };
      expect(response.statusCode).toBe(200);
      const page = JSON.parse(response.body) as { items: Array<{ id: string; sequenceNr: number }> };
      expect(page.items.map((e) => [e.sequenceNr, e.id])).toEqual([
        [1, ids[0]],
        [2, ids[1]],
      ]);
    } finally {
      await table.close();
    }
  }, 180_000);
});
