/**
 * The service as `pnpm dev` runs it (startLocalStack with its folder, local.ts applied): functions
 * pointed at the local gateway, and the dashboard's actions through the authorizer, the topic rule,
 * the queue and the data plane.
 */
import type { IotGatewayMessage } from '@blueprints/local-iot';
import { sourceHandlerLoader } from '@blueprints/local-runtime';
import { type LocalService, type LocalStack, runLocalAction, startLocalStack } from '@blueprints/local-stack';
import { SERVICE_DIR } from './helpers/packagedService.js';

let stack: LocalStack;
let service: LocalService;
const messages: IotGatewayMessage[] = [];

/** Resolves with the first gateway message whose topic ends with `suffix` (seen so far or later). */
function message(suffix: string): Promise<IotGatewayMessage> {
  const seen = messages.find((m) => m.topic.endsWith(suffix));
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    stack.gateway?.onMessage((m) => {
      if (m.topic.endsWith(suffix)) resolve(m);
    });
  });
}

beforeAll(async () => {
  stack = await startLocalStack({
    services: [SERVICE_DIR],
    logLevel: 'ERROR',
    handlerLoader: (s) => sourceHandlerLoader(s.dir),
  });
  service = stack.services[0] as LocalService;
  stack.gateway?.onMessage((m) => messages.push(m));
}, 300_000);

afterAll(async () => {
  await stack?.close();
}, 60_000);

describe('local.ts: the iot-realtime wiring and actions', () => {
  it('points the functions that declare IOT_ENDPOINT at the local gateway, over ws://', () => {
    // Assess
    const iotFunctions = service.functions.filter((f) => 'IOT_ENDPOINT' in f.environment);
    expect(iotFunctions.length).toBeGreaterThan(0);
    for (const fn of iotFunctions) {
      expect(fn.environment).toMatchObject({ IOT_ENDPOINT: stack.gateway?.host, IOT_URL_SCHEME: 'ws' });
    }
  });

  it("publishes a sensor reading as a signed-in device and receives the consumer's reply", async () => {
    // Act
    const result = (await runLocalAction(service.wiring, service.actionContext, 'sensor-reading', {})) as {
      topic: string;
    };
    const reply = await message('updates/user/dashboard');

    // Assess
    expect(result.topic).toMatch(/^\$aws\/rules\/.+\/updates\/sensor\/dashboard$/);
    expect(JSON.parse(reply.payload.toString('utf8'))).toMatchObject({ type: 'sensor-reading' });
  }, 60_000);

  it('broadcasts through the broadcast function to the news topic', async () => {
    // Act
    await runLocalAction(service.wiring, service.actionContext, 'broadcast', {
      topic: 'news',
      message: { headline: 'Hello from the test' },
    });
    const news = await message('/news');

    // Assess
    expect(news.payload.toString('utf8')).toContain('Hello from the test');
  }, 60_000);

  it("fails the bad-broadcast action with the function's own error", async () => {
    // Act
    const run = runLocalAction(service.wiring, service.actionContext, 'bad-broadcast', {});

    // Assess
    await expect(run).rejects.toThrow(/topic must be one of news/);
  }, 60_000);
});
