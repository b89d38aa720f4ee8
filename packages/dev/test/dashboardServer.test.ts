/**
 * The dashboard's same-origin guard, its action routes and error bodies, against the real dashboard
 * server on a real dev environment. The project holds no service, so the stand-ins start in seconds;
 * one fixture service (no functions) declares an action that answers its input and one that fails,
 * which is enough to tell a refused request (403) from one that reached its handler.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { defineLocalWiring, localActionContext } from '@blueprints/local-stack';
import { errorBody } from '../src/dashboardServer.js';
import type { DevEnvironment, DevService } from '../src/devEnvironment.js';
import { type FixtureDashboard, startFixtureDashboard } from './helpers/fixtureDashboard.js';

interface Answer {
  status: number;
  body: { error?: { name: string; message: string; stack?: unknown } } & Record<string, unknown>;
  text: string;
}

let root: string;
let fixture: FixtureDashboard;
let port: number;

class FixtureFailureError extends Error {
  constructor(file: string) {
    super(`the fixture failed reading ${file}`);
    this.name = 'FixtureFailureError';
  }
}

/** A service with no functions whose local wiring declares two actions: one echoes its input, one fails. */
function fixtureService(stack: DevEnvironment): DevService {
  const wiring = defineLocalWiring({
    actions: [
      {
        id: 'echo',
        label: 'Echo',
        description: 'Answers its input',
        input: { greeting: 'hello' },
        run: async (context, input) => ({ service: context.service.name, input }),
      },
      {
        id: 'fail',
        label: 'Fail',
        description: 'Fails with a named error naming a file',
        run: async () => {
          throw new FixtureFailureError(join(root, 'secret', 'place.ts'));
        },
      },
    ],
  });
  const service = { name: 'fixture', dir: root, functions: [], invoke: async () => null };
  return {
    ...service,
    wiring,
    buses: [],
    actionContext: localActionContext({ ...stack, onClose: () => undefined }, service as never),
  } as unknown as DevService;
}

/** A raw HTTP request, so the test controls Host, Origin and Sec-Fetch-Site as a browser would send them. */
function call(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  fixture = await startFixtureDashboard((stack, folder) => {
    root = folder;
    return [fixtureService(stack)];
  });
  port = Number(new URL(fixture.dashboard.url).port);
}, 120_000);

afterAll(async () => {
  await fixture?.close();
}, 60_000);

describe('Function: startDashboard(): same-origin requests only', () => {
  it('answers the page itself for its own host names', async () => {
    // Act
    const byIp = await call('GET', '/api/config');
    const byName = await call('GET', '/api/config', { host: `localhost:${port}` });

    // Assess
    expect(byIp.status).toBe(200);
    expect(byIp.body).toEqual(expect.objectContaining({ services: [expect.objectContaining({ name: 'fixture' })] }));
    expect(byName.status).toBe(200);
  });

  it('refuses a foreign Host header on /api/config (DNS rebinding) with 403 and a clear message', async () => {
    // Act
    const answer = await call('GET', '/api/config', { host: `rebind.attacker.example:${port}` });

    // Assess
    expect(answer.status).toBe(403);
    expect(answer.body.error?.message).toContain('Host "rebind.attacker.example');
    expect(answer.text).not.toContain('endpoints');
  });

  it('refuses the right host name on another port', async () => {
    // Act
    const answer = await call('GET', '/', { host: `127.0.0.1:${port + 1}` });

    // Assess
    expect(answer.status).toBe(403);
  });

  it('refuses a cross-origin POST to an action before it reaches the handler', async () => {
    // Act
    const answer = await call(
      'POST',
      '/api/services/fixture/actions/echo',
      { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
      '{"topic":"news","message":"pwned"}',
    );

    // Assess
    expect(answer.status).toBe(403);
    expect(answer.body.error).toEqual({
      name: 'CrossOriginRequestRefused',
      message: expect.stringContaining('origin "https://attacker.example" are refused'),
    });
  });

  it('refuses a POST that names neither its origin nor Sec-Fetch-Site: same-origin', async () => {
    // Act
    const answer = await call('POST', '/api/services/fixture/actions/echo', {}, '{}');

    // Assess
    expect(answer.status).toBe(403);
    expect(answer.body.error?.message).toContain('POST needs an Origin header');
  });

  it('refuses a GET from a foreign origin, even with the right Host', async () => {
    // Act
    const answer = await call('GET', '/api/activity', { origin: 'http://127.0.0.1.attacker.example' });

    // Assess
    expect(answer.status).toBe(403);
  });

  it.each([
    ['an Origin naming the dashboard by IP', () => ({ origin: `http://127.0.0.1:${port}` })],
    ['an Origin naming the dashboard as localhost', () => ({ origin: `http://localhost:${port}` })],
    ['Sec-Fetch-Site: same-origin without an Origin', () => ({ 'sec-fetch-site': 'same-origin' })],
  ])('lets a POST with %s reach its handler', async (_, headers) => {
    // Act
    const answer = await call('POST', '/api/services/fixture/actions/echo', headers(), '{"topic":"news"}');

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ service: 'fixture', input: { topic: 'news' } });
  });
});

describe('Function: startDashboard(): the actions services declare', () => {
  it("lists each service's actions in /api/config, without their code", async () => {
    // Act
    const answer = await call('GET', '/api/config');

    // Assess
    const services = answer.body.services as Array<{ name: string; actions: unknown[] }>;
    expect(services.map((s) => s.name)).toEqual(['fixture']);
    expect(services[0]?.actions).toEqual([
      { id: 'echo', label: 'Echo', description: 'Answers its input', input: { greeting: 'hello' } },
      { id: 'fail', label: 'Fail', description: 'Fails with a named error naming a file' },
    ]);
  });

  it('runs an action with an empty body as input {}', async () => {
    // Act
    const answer = await call('POST', '/api/services/fixture/actions/echo', { origin: `http://127.0.0.1:${port}` });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ service: 'fixture', input: {} });
  });

  it.each([
    [
      'an unknown action',
      '/api/services/fixture/actions/nope',
      'No action "nope" for service "fixture". Actions: echo, fail',
    ],
    ['a service that is not running', '/api/services/other/actions/echo', 'No action "echo" for service "other"'],
  ])('answers %s with 404 and the actions there are', async (_, path, message) => {
    // Act
    const answer = await call('POST', path, { origin: `http://127.0.0.1:${port}` }, '{}');

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.body.error).toEqual({ name: 'UnknownLocalActionError', message: expect.stringContaining(message) });
  });

  it('answers a JSON body that is not an object with 400', async () => {
    // Act
    const answer = await call(
      'POST',
      '/api/services/fixture/actions/echo',
      { origin: `http://127.0.0.1:${port}` },
      '[1]',
    );

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error?.name).toBe('BadDashboardRequestError');
  });

  it('refuses GET on an action route', async () => {
    // Act
    const answer = await call('GET', '/api/services/fixture/actions/echo');

    // Assess
    expect(answer.status).toBe(404);
  });
});

describe('Function: startDashboard(): error responses', () => {
  it('answers a failing action with 500, its name and message, without a stack trace or file path', async () => {
    // Act
    const answer = await call('POST', '/api/services/fixture/actions/fail', { origin: `http://127.0.0.1:${port}` });

    // Assess
    expect(answer.status).toBe(500);
    expect(answer.body.error).toEqual({
      name: 'FixtureFailureError',
      message: 'the fixture failed reading <path>',
    });
    expect(answer.text).not.toMatch(/\bat \S+ \(|\.ts:\d+|\.mjs:\d+|node_modules/);
    expect(answer.text).not.toContain(root);
  });

  it('answers a body that is not JSON with 400, not as a server failure', async () => {
    // Act
    const answer = await call(
      'POST',
      '/api/services/fixture/actions/echo',
      { origin: `http://127.0.0.1:${port}` },
      '{not json',
    );

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({ name: 'BadDashboardRequestError', message: 'body must be a JSON object' });
  });

  it('answers an oversized body with 413', async () => {
    // Act
    const answer = await call(
      'POST',
      '/api/services/fixture/actions/echo',
      { origin: `http://127.0.0.1:${port}` },
      JSON.stringify({ message: 'x'.repeat(200_000) }),
    );

    // Assess
    expect(answer.status).toBe(413);
  });
});

describe('Function: errorBody()', () => {
  it('removes absolute file paths from the message and drops the stack', () => {
    // Prepare
    const missing = join(root, 'no', 'such', 'dashboard.js');
    let error: unknown;
    try {
      readFileSync(missing);
    } catch (e) {
      error = e;
    }

    // Act
    const body = errorBody(error);

    // Assess
    expect(body).toEqual({ error: { name: 'Error', message: expect.stringContaining('ENOENT') } });
    expect(body.error.message).not.toContain(root);
    expect(body.error.message).toContain('<path>');
  });

  it('keeps URLs and MQTT topics in a message intact', () => {
    // Act
    const body = errorBody(new Error('POST http://127.0.0.1:4000/api/x failed for updates/user/a'));

    // Assess
    expect(body.error.message).toBe('POST http://127.0.0.1:4000/api/x failed for updates/user/a');
  });
});
