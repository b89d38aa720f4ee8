/**
 * web/realtimeClient.js with real mqtt.js against the local gateway and the real presign function:
 * a dropped connection comes back with full-jitter exponential backoff and its subscriptions, and a
 * presigned URL close to expiry is replaced by a fresh one without losing messages.
 */
import type { IotNamespace } from '@blueprints/common';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import mqtt from 'mqtt';
import {
  type ConnectionDetails,
  createRealtimeClient,
  fullJitterDelay,
  type RealtimeClient,
  type RealtimeState,
  type RealtimeStateDetail,
} from '../web/realtimeClient.js';
import { type LocalStack, startLocalStack } from './helpers/localStack.js';

const JWT_SECRET = 'realtime-client-test-secret-0123456789-abcdef';
/** The shortest lifetime presign accepts (URL_EXPIRES_IN min 120 s). */
const URL_EXPIRES_IN_SECONDS = 120;

let stack: LocalStack;
let ns: IotNamespace;
let presignCalls = 0;
let presignFailures = 0;
const clients: RealtimeClient[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ jwtSecret: JWT_SECRET });
  ns = stack.namespace;
  // Short-lived URLs, read by presign when it first loads.
  stack.lambda.find('PresignLambdaFunction').environment.URL_EXPIRES_IN = String(URL_EXPIRES_IN_SECONDS);
}, 200_000);

afterAll(async () => {
  for (const client of clients) client.stop();
  await stack?.close();
});

/** What the page does: GET /iot/url (the presign function), then a fresh client id under the returned prefix. */
async function presignedConnection(): Promise<ConnectionDetails> {
  presignCalls += 1;
  if (presignFailures > 0) {
    presignFailures -= 1;
    throw new Error('GET /iot/url answered 503');
  }
  const response = (await stack.lambda.invoke('PresignLambdaFunction', {
    rawPath: '/iot/url',
  })) as APIGatewayProxyStructuredResultV2;
  const { url, clientIdPrefix, expiresAt } = JSON.parse(String(response.body));
  return { url, clientId: `${clientIdPrefix}${Math.random().toString(36).slice(2, 10)}`, expiresAt };
}

type Transition = { state: RealtimeState; detail: RealtimeStateDetail; at: number };

function recorder() {
  const transitions: Transition[] = [];
  const waiters: Array<{ match: (t: Transition) => boolean; resolve: (t: Transition) => void }> = [];
  return {
    transitions,
    onState: (state: RealtimeState, detail: RealtimeStateDetail) => {
      const t = { state, detail, at: Date.now() };
      transitions.push(t);
      for (const w of [...waiters]) {
        if (w.match(t)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(t);
        }
      }
    },
    /** The next transition matching `match` (event-driven; the ceiling only guards a hung test). */
    next: (match: (t: Transition) => boolean, timeoutMs = 30_000) =>
      new Promise<Transition>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching state within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          match,
          resolve: (t) => {
            clearTimeout(timer);
            resolve(t);
          },
        });
      }),
  };
}

function messages() {
  const received: Array<{ topic: string; text: string }> = [];
  const waiters: Array<{ marker: string; resolve: () => void }> = [];
  return {
    received,
    onMessage: (topic: string, payload: Uint8Array) => {
      const text = new TextDecoder().decode(payload);
      received.push({ topic, text });
      for (const w of [...waiters]) if (text.includes(w.marker)) w.resolve();
    },
    arrival: (marker: string, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        if (received.some((m) => m.text.includes(marker))) return resolve();
        const timer = setTimeout(() => reject(new Error(`"${marker}" did not arrive in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          marker,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
  };
}

describe('Function: fullJitterDelay()', () => {
  it('draws from 0 up to the capped exponential bound', () => {
    // Prepare
    const backoff = { baseMs: 500, maxMs: 30_000 };

    // Act
    const highest = [0, 1, 2, 3, 10].map((attempt) => fullJitterDelay(attempt, backoff, () => 0.999999));
    const lowest = fullJitterDelay(5, backoff, () => 0);

    // Assess: 500 * 2^n capped at 30 s, minus the floor
    expect(highest).toEqual([499, 999, 1999, 3999, 29999]);
    expect(lowest).toBe(0);
  });
});

describe('Function: createRealtimeClient() through the local gateway', () => {
  it('reconnects a dropped connection with full-jitter exponential backoff and resubscribes', async () => {
    // Prepare
    const states = recorder();
    const inbox = messages();
    const backoff = { baseMs: 200, maxMs: 5_000 };
    const client = createRealtimeClient({
      mqtt,
      connection: presignedConnection,
      subscriptions: [ns.topic('news')],
      backoff,
      // Deterministic jitter: half of each bound.
      random: () => 0.5,
      onState: states.onState,
      onMessage: inbox.onMessage,
    });
    clients.push(client);
    const firstConnect = states.next((t) => t.state === 'connected');
    client.start();
    const first = await firstConnect;
    // The presign API is down for the first three reconnect attempts.
    presignFailures = 3;
    const reconnected = states.next((t) => t.state === 'connected' && t.at > first.at);

    // Act
    expect(stack.gateway.dropConnection(String(first.detail.clientId))).toBe(true);
    const back = await reconnected;
    const arrived = inbox.arrival('after-reconnect');
    await stack.lambda.invoke('BroadcastLambdaFunction', { topic: 'news', message: { text: 'after-reconnect' } });
    await arrived;

    // Assess
    const waits = states.transitions.filter((t) => t.state === 'waiting');
    expect(waits.map((t) => [t.detail.attempt, t.detail.delayMs])).toEqual([
      [1, 100],
      [2, 200],
      [3, 400],
      [4, 800],
    ]);
    for (const wait of waits) {
      const nextTry = states.transitions.slice(states.transitions.indexOf(wait)).find((t) => t.state === 'connecting');
      // Timers never fire early; 5 ms of slack for the clock's granularity.
      expect((nextTry?.at ?? 0) - wait.at).toBeGreaterThanOrEqual((wait.detail.delayMs ?? 0) - 5);
    }
    expect(back.detail.clientId).not.toBe(first.detail.clientId);
    expect(inbox.received).toEqual([{ topic: ns.topic('news'), text: '{"text":"after-reconnect"}' }]);
    expect(stack.gateway.connections().map((c) => c.clientId)).toContain(back.detail.clientId);
    client.stop();
  }, 60_000);

  it('moves to a fresh presigned URL before the old one expires without losing a message', async () => {
    // Prepare: refresh 3 s after connecting (the URL lives 120 s)
    const states = recorder();
    const inbox = messages();
    const client = createRealtimeClient({
      mqtt,
      connection: presignedConnection,
      subscriptions: [ns.topic('news')],
      refreshBeforeMs: (URL_EXPIRES_IN_SECONDS - 3) * 1000,
      onState: states.onState,
      onMessage: inbox.onMessage,
    });
    clients.push(client);
    const connected = states.next((t) => t.state === 'connected');
    const switched = states.next((t) => t.state === 'connected' && t.detail.refreshed === true);
    client.start();
    const first = await connected;
    const callsBefore = presignCalls;

    // Act: publish a numbered message every 50 ms until 20 have gone out after the switch
    let n = 0;
    let afterSwitch: number | undefined;
    let done = false;
    const switchedAt = switched.then((t) => {
      afterSwitch = n;
      return t;
    });
    while (!done) {
      await stack.gateway.publish(ns.topic('news'), { n }, { qos: 1 });
      n += 1;
      if (afterSwitch !== undefined && n >= afterSwitch + 20) done = true;
      await new Promise((r) => setTimeout(r, 50));
      if (n > 400) throw new Error('the client never switched URLs');
    }
    const refreshed = await switchedAt;
    const last = inbox.arrival(`{"n":${n - 1}}`);
    await last;

    // Assess
    expect(presignCalls).toBeGreaterThanOrEqual(callsBefore + 1);
    expect(refreshed.detail.clientId).not.toBe(first.detail.clientId);
    expect(states.transitions.slice(0, 4).map((t) => t.state)).toEqual([
      'connecting',
      'connected',
      'refreshing',
      'connected',
    ]);
    const seen = inbox.received.map((m) => (JSON.parse(m.text) as { n: number }).n);
    const expectedAfter = Array.from({ length: n - (afterSwitch ?? 0) }, (_, i) => (afterSwitch ?? 0) + i);
    expect(seen.filter((v) => v >= (afterSwitch ?? 0))).toEqual(expectedAfter);
    expect(stack.gateway.connections().map((c) => c.clientId)).toEqual(
      expect.not.arrayContaining([first.detail.clientId]),
    );
    client.stop();
  }, 90_000);
});
