/**
 * The dashboard's page files and its invoke-form API, against the real dashboard server on a real
 * dev environment holding one fixture service (handlers from its TypeScript sources on a real
 * local Lambda): static files and the favicon, sample events, invocations that answer, fail and
 * stall.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { DevEnvironment } from '../src/devEnvironment.js';
import { type FixtureDashboard, startFixtureDashboard } from './helpers/fixtureDashboard.js';
import { INVOKABLE_DIR, invokableService } from './helpers/invokableService.js';

interface Answer {
  status: number;
  type: string;
  text: string;
}

let fixture: FixtureDashboard;
let dev: DevEnvironment;
let origin: string;

/** One request as the dashboard page sends it (same origin), answered in full. */
function call(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { host, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host, origin, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (answer: Answer) => JSON.parse(answer.text);

beforeAll(async () => {
  fixture = await startFixtureDashboard((stack) => [invokableService(stack.feed, 1)]);
  dev = fixture.dev;
  origin = fixture.dashboard.url;
}, 120_000);

afterAll(async () => {
  await fixture?.close();
}, 60_000);

describe('Function: startDashboard(): the page files', () => {
  it('serves the favicon as an SVG icon', async () => {
    // Act
    const answer = await call('GET', '/favicon.ico');

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('image/svg+xml');
    expect(answer.text).toMatch(/^<svg /);
  });

  it.each([
    ['/', 'text/html'],
    ['/dashboard.js', 'text/javascript'],
    ['/actionCards.js', 'text/javascript'],
    ['/dashboard.css', 'text/css'],
  ])('serves %s as %s', async (path, type) => {
    // Act
    const answer = await call('GET', path);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.type).toContain(type);
  });

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/..%2fpackage.json',
    '/test/dashboardRoutes.test.ts',
    '/README.md',
    '/missing.js',
  ])('serves nothing outside the dashboard folder or unknown: %s', async (path) => {
    // Act
    const answer = await call('GET', path);

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.text).not.toContain('"name": "@blueprints/dev"');
  });

  it('tells the browser to reconnect the activity stream after a second', async () => {
    // Prepare
    const { host, port } = new URL(origin);

    // Act
    const firstChunk = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/stream', headers: { host } }, (res) => {
        res.once('data', (chunk: Buffer) => {
          resolve(chunk.toString('utf8'));
          req.destroy();
        });
      });
      req.on('error', reject);
      req.end();
    });

    // Assess
    expect(firstChunk).toMatch(/^retry: 1000\n/);
  });
});

describe('Function: startDashboard(): the invoke form', () => {
  it('lists every function with the path of its sample event, when it has one', async () => {
    // Act
    const config = json(await call('GET', '/api/config'));

    // Assess
    const service = config.services.find((s: { name: string }) => s.name === 'invokable');
    expect(service.functions).toEqual([
      expect.objectContaining({ name: 'invokable-dev-echo', sampleEvent: 'events/echo.json' }),
      expect.not.objectContaining({ sampleEvent: expect.anything() }),
      expect.not.objectContaining({ sampleEvent: expect.anything() }),
    ]);
  });

  it("answers a function's sample event", async () => {
    // Act
    const answer = await call('GET', '/api/functions/invokable-dev-echo/sample-event');

    // Assess
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual(JSON.parse(readFileSync(join(INVOKABLE_DIR, 'events', 'echo.json'), 'utf8')));
  });

  it('answers 404 for the sample event of a function that has none', async () => {
    // Act
    const answer = await call('GET', '/api/functions/invokable-dev-reject/sample-event');

    // Assess
    expect(answer.status).toBe(404);
    expect(json(answer).error.message).toContain('has no sample event');
  });

  it("invokes a function with the posted payload and answers with the handler's result", async () => {
    // Act
    const answer = await call('POST', '/api/functions/invokable-dev-echo/invoke', '[1,"two",{"three":3}]');

    // Assess
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({
      service: 'invokable',
      functionName: 'invokable-dev-echo',
      durationMs: expect.any(Number),
      result: { received: [1, 'two', { three: 3 }] },
    });
    expect(dev.feed.recent()).toContainEqual(
      expect.objectContaining({ kind: 'invocation', functionName: 'invokable-dev-echo', outcome: 'success' }),
    );
  });

  it('invokes with {} when the body is empty, as Lambda does', async () => {
    // Act
    const answer = await call('POST', '/api/functions/invokable-dev-echo/invoke');

    // Assess
    expect(json(answer).result).toEqual({ received: {} });
  });

  it('answers a handler error as 200 with a function error and the stack mapped to the .ts source', async () => {
    // Act
    const answer = await call('POST', '/api/functions/invokable-dev-reject/invoke', '{"reason":"closed"}');

    // Assess
    expect(answer.status).toBe(200);
    const { functionError } = json(answer);
    expect(functionError.errorType).toBe('OrderRejectedError');
    expect(functionError.errorMessage).toBe('order rejected: closed');
    expect(functionError.trace.join('\n')).toContain(join('handlers', 'reject.ts'));
  });

  it('answers a stalled handler with a timeout error once its function timeout (1 s) has passed', async () => {
    // Act
    const answer = await call('POST', '/api/functions/invokable-dev-stall/invoke', '{}');

    // Assess
    expect(answer.status).toBe(200);
    expect(json(answer).functionError).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 1.00 seconds',
      trace: [],
    });
  });

  it('answers 404 naming an unknown function', async () => {
    // Act
    const answer = await call('POST', '/api/functions/invokable-dev-missing/invoke', '{}');

    // Assess
    expect(answer.status).toBe(404);
    expect(json(answer).error).toEqual({
      name: 'BadDashboardRequestError',
      message: 'no function "invokable-dev-missing" runs in this dev environment',
    });
  });

  it('answers 400 for a payload that is not JSON, without invoking', async () => {
    // Prepare
    const before = dev.feed.recent().length;

    // Act
    const answer = await call('POST', '/api/functions/invokable-dev-echo/invoke', '{"orderId":');

    // Assess
    expect(answer.status).toBe(400);
    expect(json(answer).error.message).toBe('body must be JSON');
    expect(dev.feed.recent()).toHaveLength(before);
  });

  it('refuses an invocation from another origin', async () => {
    // Act
    const answer = await call('POST', '/api/functions/invokable-dev-echo/invoke', '{}', {
      origin: 'https://attacker.example',
    });

    // Assess
    expect(answer.status).toBe(403);
  });

  it('answers 404 for GET on the invoke path', async () => {
    // Act
    const answer = await call('GET', '/api/functions/invokable-dev-echo/invoke');

    // Assess
    expect(answer.status).toBe(404);
  });
});

describe("Function: startDashboard(): each action's last outcome", () => {
  it('keeps the result of an action run, for a page loaded later', async () => {
    // Act
    const run = await call('POST', '/api/services/invokable/actions/echo', '{"word":"kept"}');
    const last = json(await call('GET', '/api/actions/last-outcomes'));

    // Assess
    expect(run.status).toBe(200);
    expect(last['invokable/echo']).toEqual({
      outcome: 'ok',
      result: { received: { word: 'kept' } },
      durationMs: expect.any(Number),
      at: expect.any(String),
    });
  });

  it("keeps a failed run's error name and message", async () => {
    // Act
    const run = await call('POST', '/api/services/invokable/actions/reject', '{}');
    const last = json(await call('GET', '/api/actions/last-outcomes'));

    // Assess
    expect(run.status).toBe(500);
    expect(last['invokable/reject']).toEqual(
      expect.objectContaining({
        outcome: 'error',
        error: { name: 'OrderRejectedError', message: 'order rejected: demo' },
      }),
    );
  });

  it('keeps nothing for an action nobody declared', async () => {
    // Act
    const run = await call('POST', '/api/services/invokable/actions/missing', '{}');
    const last = json(await call('GET', '/api/actions/last-outcomes'));

    // Assess
    expect(run.status).toBe(404);
    expect(Object.keys(last)).not.toContain('invokable/missing');
  });
});
