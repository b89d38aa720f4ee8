// Browser client for iot-realtime. mqtt.js is served from the `mqtt` package's dist build
// (`web/serve.ts` serves it from node_modules; `pnpm web:vendor` copies it next to this file for static hosting).
import mqtt from './vendor/mqtt.esm.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
for (const name of ['api', 'endpoint', 'authorizer', 'rule']) {
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
  anonymousClient?.end(true);
  setStatus('anonymous-status', 'fetching URL…');
  try {
    const api = $('api').value.replace(/\/$/, '');
    const response = await fetch(`${api}/iot/url`);
    if (!response.ok) throw new Error(`GET /iot/url answered ${response.status}`);
    const { url, clientIdPrefix } = await response.json();
    const client = mqtt.connect(url, {
      clientId: `${clientIdPrefix}${randomSuffix()}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    anonymousClient = client;
    client.on('connect', () => {
      setStatus('anonymous-status', 'connected', 'connected');
      client.subscribe('news', { qos: 1 });
    });
    client.on('message', (topic, payload) => show('news', topic, payload));
    client.on('close', () => setStatus('anonymous-status', 'disconnected'));
    client.on('error', (error) => setStatus('anonymous-status', error.message, 'error'));
  } catch (error) {
    setStatus('anonymous-status', error.message, 'error');
  }
});

/** The JWT's subject (decoded, not verified: the authorizer verifies it). */
function subjectOf(token) {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(json).sub;
}

let signedInClient;
let subject;
$('connect-signed-in').addEventListener('click', () => {
  signedInClient?.end(true);
  const token = $('token').value.trim();
  try {
    subject = subjectOf(token);
  } catch {
    setStatus('signed-in-status', 'not a JWT', 'error');
    return;
  }
  const url = `${scheme}://${$('endpoint').value}/mqtt?x-amz-customauthorizer-name=${encodeURIComponent($('authorizer').value)}`;
  const client = mqtt.connect(url, {
    clientId: `${subject}-${randomSuffix()}`,
    username: subject,
    password: token,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  signedInClient = client;
  setStatus('signed-in-status', 'connecting…');
  client.on('connect', () => {
    setStatus('signed-in-status', `connected as ${subject}`, 'connected');
    client.subscribe(`updates/user/${subject}`, { qos: 1 });
    $('send-reading').disabled = false;
  });
  client.on('message', (topic, payload) => show('updates', topic, payload));
  client.on('close', () => {
    setStatus('signed-in-status', 'disconnected');
    $('send-reading').disabled = true;
  });
  client.on('error', (error) => setStatus('signed-in-status', error.message, 'error'));
});

$('send-reading').addEventListener('click', () => {
  const reading = {
    temperature: Number($('temperature').value),
    humidity: Number($('humidity').value),
    sensor: 'browser',
  };
  // Basic Ingest: straight to the sensor rule, no message broker charge; only this subject's topic is allowed.
  signedInClient?.publish(`$aws/rules/${$('rule').value}/updates/sensor/${subject}`, JSON.stringify(reading), {
    qos: 1,
  });
});
