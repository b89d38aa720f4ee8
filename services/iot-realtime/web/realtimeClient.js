// A realtime connection to IoT Core that stays up: reconnects after a drop with full-jitter
// exponential backoff, moves to fresh credentials (presigned URL or token) before they expire
// without a gap in its subscriptions, and resubscribes after every (re)connect. Plain JavaScript
// with mqtt.js passed in, so the page (mqtt.js's browser build) and Node tests (the mqtt package)
// run the same code.

/** Backoff used when none is given: 0.5 s doubling up to 30 s. */
export const DEFAULT_BACKOFF = Object.freeze({ baseMs: 500, maxMs: 30_000 });

/** Thrown by `publish` while there is no open connection. */
export class NotConnectedError extends Error {
  constructor() {
    super('not connected: wait for the "connected" state');
    this.name = 'NotConnectedError';
  }
}

/**
 * Full jitter: a random delay between 0 and min(maxMs, baseMs * 2^attempt). After an outage every
 * client retries at a different moment instead of all at once, which keeps a fleet under the
 * account's connect-rate quota (AWS Architecture Blog, "Exponential Backoff And Jitter").
 *
 * @example
 * fullJitterDelay(3, { baseMs: 500, maxMs: 30000 }); // somewhere in [0, 4000)
 */
export function fullJitterDelay(attempt, backoff = DEFAULT_BACKOFF, random = Math.random) {
  return Math.floor(random() * Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt));
}

function expiryMs(expiresAt) {
  if (expiresAt === undefined || expiresAt === null) return undefined;
  const ms = typeof expiresAt === 'number' ? expiresAt : Date.parse(expiresAt);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Creates a client; nothing connects until `start()`.
 *
 * `connection()` is called for every connection, including each reconnect and refresh, and returns
 * `{ url, clientId, username?, password?, expiresAt? }`. Return a fresh client id each time: IoT
 * Core drops the older of two connections with one id, which would cut the old connection before
 * the new one has subscribed.
 *
 * States reported to `onState(state, detail)`: `connecting`, `connected` ({ clientId, refreshed }),
 * `waiting` ({ attempt, delayMs, error }: the next try is in delayMs), `refreshing`, `stopped`.
 *
 * @example
 * const realtime = createRealtimeClient({
 *   mqtt,
 *   connection: async () => {
 *     const { url, clientIdPrefix, expiresAt } = await (await fetch(`${api}/iot/url`)).json();
 *     return { url, clientId: `${clientIdPrefix}${crypto.randomUUID()}`, expiresAt };
 *   },
 *   subscriptions: ['iot-realtime/dev/news'],
 *   onMessage: (topic, payload) => console.log(topic, String(payload)),
 *   onState: (state, detail) => console.log(state, detail),
 * });
 * realtime.start();
 */
export function createRealtimeClient(options) {
  const {
    mqtt,
    connection,
    onMessage = () => {},
    onState = () => {},
    backoff = DEFAULT_BACKOFF,
    refreshBeforeMs = 60_000,
    connectTimeoutMs = 10_000,
    random = Math.random,
    now = Date.now,
  } = options;
  const topics = new Set(options.subscriptions ?? []);
  let current; // { client, details }
  let attempt = 0;
  let refreshAttempt = 0;
  let stopped = true;
  let retryTimer;
  let refreshTimer;
  let state = 'stopped';

  const report = (next, detail = {}) => {
    state = next;
    onState(next, detail);
  };

  /** Connects one mqtt.js client and subscribes it; resolves once it holds every subscription. */
  function open(details) {
    const client = mqtt.connect(details.url, {
      clientId: details.clientId,
      ...(details.username !== undefined ? { username: details.username } : {}),
      ...(details.password !== undefined ? { password: details.password } : {}),
      protocolVersion: 4,
      // Reconnects are ours: with new credentials, new client ids and jitter.
      reconnectPeriod: 0,
      connectTimeout: connectTimeoutMs,
      clean: true,
    });
    return new Promise((resolve, reject) => {
      const fail = (error) => {
        client.removeListener('connect', onConnect);
        client.end(true);
        reject(error instanceof Error ? error : new Error('connection closed before it was ready'));
      };
      const onClose = () => fail(new Error('connection closed before it was ready'));
      const onConnect = async () => {
        try {
          if (topics.size > 0) await client.subscribeAsync([...topics], { qos: 1 });
          client.removeListener('error', fail);
          client.removeListener('close', onClose);
          resolve(client);
        } catch (error) {
          fail(error);
        }
      };
      client.once('connect', onConnect);
      client.once('error', fail);
      client.once('close', onClose);
    });
  }

  /** Makes a ready client the current one; messages of any other client are no longer delivered. */
  function adopt(client, details) {
    current = { client, details };
    client.on('message', (topic, payload) => {
      if (current?.client === client) onMessage(topic, payload);
    });
    client.on('close', () => {
      if (current?.client !== client || stopped) return;
      current = undefined;
      clearTimeout(refreshTimer);
      retry(new Error('connection lost'));
    });
    client.on('error', () => {}); // 'close' follows and drives the reconnect
    scheduleRefresh(details);
  }

  async function connectNow() {
    report('connecting', { attempt });
    try {
      const details = await connection();
      if (stopped) return;
      const client = await open(details);
      if (stopped) {
        client.end(true);
        return;
      }
      attempt = 0;
      refreshAttempt = 0;
      adopt(client, details);
      report('connected', { clientId: details.clientId, refreshed: false });
    } catch (error) {
      if (!stopped) retry(error);
    }
  }

  function retry(error) {
    const delayMs = fullJitterDelay(attempt, backoff, random);
    attempt += 1;
    report('waiting', { attempt, delayMs, error: error?.message ?? String(error) });
    retryTimer = setTimeout(connectNow, delayMs);
  }

  function scheduleRefresh(details) {
    clearTimeout(refreshTimer);
    const expiresAt = expiryMs(details.expiresAt);
    if (expiresAt === undefined) return;
    refreshTimer = setTimeout(refresh, Math.max(0, expiresAt - refreshBeforeMs - now()));
  }

  /** Make before break: the new connection subscribes first, then replaces the old one. */
  async function refresh() {
    const old = current;
    if (!old || stopped) return;
    report('refreshing', { clientId: old.details.clientId });
    try {
      const details = await connection();
      const client = await open(details);
      if (stopped || current !== old) {
        client.end(true);
        return;
      }
      refreshAttempt = 0;
      adopt(client, details);
      old.client.end();
      report('connected', { clientId: details.clientId, refreshed: true });
    } catch (error) {
      if (stopped || current !== old) return;
      // The old connection is still up: keep it and try again shortly.
      const delayMs = fullJitterDelay(refreshAttempt++, backoff, random);
      report('connected', { clientId: old.details.clientId, refreshed: false, refreshError: error?.message });
      refreshTimer = setTimeout(refresh, delayMs);
    }
  }

  return {
    /** Connects (and keeps reconnecting until `stop()`). */
    start() {
      if (!stopped) return;
      stopped = false;
      attempt = 0;
      void connectNow();
    },
    /** Closes the connection and cancels every pending retry or refresh. */
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(refreshTimer);
      current?.client.end(true);
      current = undefined;
      report('stopped');
    },
    /** Adds a subscription, kept across reconnects and refreshes. */
    async subscribe(topic) {
      topics.add(topic);
      if (current) await current.client.subscribeAsync(topic, { qos: 1 });
    },
    /** Publishes on the current connection; throws `NotConnectedError` when there is none. */
    async publish(topic, payload, publishOptions = { qos: 1 }) {
      if (!current) throw new NotConnectedError();
      await current.client.publishAsync(topic, payload, publishOptions);
    },
    get state() {
      return state;
    },
    /** The client id of the current connection, if any. */
    get clientId() {
      return current?.details.clientId;
    },
  };
}
