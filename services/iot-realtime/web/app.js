// Browser client for iot-realtime. mqtt.js is served from the `mqtt` package's dist build
// (`web/serve.ts` serves it from node_modules; `pnpm web:vendor` copies it next to this file for static hosting).
// Connections go through realtimeClient.js: reconnect with backoff, fresh URL/token before expiry, resubscribe.
import { createRealtimeClient } from './realtimeClient.js';
import mqtt from './vendor/mqtt.esm.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
for (const name of ['api', 'endpoint', 'authorizer', 'rule', 'namespace']) {
  if (params.has(name)) $(name).value = params.get(name);
}
// `ws` only for the local gateway (no TLS); IoT Core always needs `wss`.
const scheme = params.get('scheme') === 'ws' ? 'ws' : 'wss';
const randomSuffix = () => Math.random().toString(36).slice(2, 10);

function setStatus(id, text, kind = '') {
  const el = $(id);
  el.textContent = text;
  el.className = `status ${kind}`;
}

/** The client's state as the page shows it. */
function showState(id, state, detail, connectedText) {
  if (state === 'connected') setStatus(id, connectedText(detail), 'connected');
  else if (state === 'waiting') {
    const seconds = ((detail.delayMs ?? 0) / 1000).toFixed(1);
    setStatus(id, `reconnecting in ${seconds} s (attempt ${detail.attempt}): ${detail.error}`, 'waiting');
  } else if (state === 'refreshing') setStatus(id, 'refreshing credentials…', 'connected refreshing');
  else if (state === 'connecting') setStatus(id, 'connecting…');
  else setStatus(id, 'disconnected');
}

function show(listId, topic, payload) {
  const item = document.createElement('li');
  let text = new TextDecoder().decode(payload);
  try {
    text = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON: shown as it is
  }
  item.textContent = `${topic}\n${text}`;
  $(listId).prepend(item);
}

let anonymousClient;
$('connect-anonymous').addEventListener('click', async () => {
  anonymousClient?.stop();
  const api = $('api').value.replace(/\/$/, '');
  // The topic prefix comes with the URL: GET /iot/url answers for one deployment.
  const first = await fetchUrl(api).catch((error) => setStatus('anonymous-status', error.message, 'error'));
  if (!first) return;
  let pending = first;
  anonymousClient = createRealtimeClient({
    mqtt,
    // Every (re)connect and refresh gets a new URL and a new client id.
    connection: async () => {
      const { url, clientIdPrefix, expiresAt } = pending ?? (await fetchUrl(api));
      pending = undefined;
      return { url, clientId: `${clientIdPrefix}${randomSuffix()}`, expiresAt };
    },
    subscriptions: [`${first.topicPrefix}/news`],
    onMessage: (topic, payload) => show('news', topic, payload),
    onState: (state, detail) => showState('anonymous-status', state, detail, () => 'connected'),
  });
  anonymousClient.start();
});

async function fetchUrl(api) {
  const response = await fetch(`${api}/iot/url`);
  if (!response.ok) throw new Error(`GET /iot/url answered ${response.status}`);
  return response.json();
}

/** The JWT's claims (decoded, not verified: the authorizer verifies it). */
function claimsOf(token) {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(json);
}

let signedInClient;
let subject;
$('connect-signed-in').addEventListener('click', () => {
  signedInClient?.stop();
  const namespace = $('namespace').value.trim();
  try {
    subject = claimsOf($('token').value.trim()).sub;
  } catch {
    setStatus('signed-in-status', 'not a JWT', 'error');
    return;
  }
  const url = `${scheme}://${$('endpoint').value}/mqtt?x-amz-customauthorizer-name=${encodeURIComponent($('authorizer').value)}`;
  signedInClient = createRealtimeClient({
    mqtt,
    // Read the token field again each time: paste a new token and the next refresh uses it.
    connection: async () => {
      const token = $('token').value.trim();
      const { exp } = claimsOf(token);
      return {
        url,
        // `<service>_<stage>_<sub>-<random>`: the namespace with `/` turned into `_`.
        clientId: `${namespace.replace('/', '_')}_${subject}-${randomSuffix()}`,
        username: subject,
        password: token,
        // The authorizer disconnects when the token expires: move to the current token before then.
        ...(typeof exp === 'number' ? { expiresAt: exp * 1000 } : {}),
      };
    },
    subscriptions: [`${namespace}/updates/user/${subject}`],
    onMessage: (topic, payload) => show('updates', topic, payload),
    onState: (state, detail) => {
      showState('signed-in-status', state, detail, () => `connected as ${subject}`);
      $('send-reading').disabled = state !== 'connected' && state !== 'refreshing';
    },
  });
  signedInClient.start();
});

$('send-reading').addEventListener('click', () => {
  const reading = {
    temperature: Number($('temperature').value),
    humidity: Number($('humidity').value),
    sensor: 'browser',
  };
  // Basic Ingest: straight to the sensor rule, no message broker charge; only this subject's topic is allowed.
  const topic = `$aws/rules/${$('rule').value}/${$('namespace').value.trim()}/updates/sensor/${subject}`;
  signedInClient?.publish(topic, JSON.stringify(reading), { qos: 1 }).catch((error) => {
    setStatus('signed-in-status', error.message, 'error');
  });
});
