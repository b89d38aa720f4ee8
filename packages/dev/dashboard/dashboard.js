// The pnpm dev dashboard: plain DOM, no framework. Data comes from /api/config, the Server-Sent
// Events stream /api/stream, the buttons' /api/* calls, and an MQTT connection to the local IoT
// gateway opened with a presigned URL from iot-realtime's `GET /iot/url` route.
const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
};
const time = (iso) => new Date(iso).toLocaleTimeString();
const short = (value, n = 160) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > n ? `${text.slice(0, n)}…` : text;
};
const prepend = (list, node, max = 100) => {
  list.prepend(node);
  while (list.children.length > max) list.lastChild.remove();
};

let config;

async function api(method, path) {
  const response = await fetch(path, { method });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body?.error?.message ?? response.statusText), { body });
  return body;
}

function status(text, isError = false) {
  const node = $('action-status');
  node.textContent = text;
  node.className = isError ? 'error' : '';
}

function renderServices() {
  const root = $('services');
  root.replaceChildren();
  const e = config.endpoints;
  const endpoints = el('ul');
  for (const [name, url] of Object.entries(e))
    if (typeof url === 'string') endpoints.append(el('li', {}, `${name}: `, el('code', {}, url)));
  root.append(endpoints);
  for (const s of config.services) {
    const list = el('ul');
    list.append(el('li', {}, 'functions: ', s.functions.map((f) => f.name).join(', ')));
    for (const r of s.http?.routes ?? [])
      list.append(el('li', {}, el('code', {}, `${r.routeKey.split(' ')[0]} ${r.url}`)));
    for (const p of s.pipes ?? []) list.append(el('li', {}, `pipe ${p.name}: ${p.stream} → ${p.target}`));
    root.append(el('h3', {}, s.name), list);
  }
  const has = (name) => config.services.some((s) => s.name === name);
  $('sensor-reading').disabled = !has('iot-realtime');
  $('broadcast').disabled = !has('iot-realtime');
  $('failing').disabled = !has('iot-realtime');
  $('events').disabled = !has('event-logger');
  $('ledger-record').disabled = !has('qldb-pipe');
  $('articles-query').disabled = !has('rds-proxy-demo');
  $('summary').textContent =
    `${config.services.length} service(s): ${config.services.map((s) => s.name).join(', ')} · started in ${(config.startupMs / 1000).toFixed(1)} s · data in ${config.dataDir}`;
}

// ---------------------------------------------------------------- live feed (SSE)
const invocationsByFunction = new Map();
const brands = new Map();

function onActivity(a) {
  if (a.kind === 'mqtt') {
    prepend($('mqtt-gateway'), el('li', {}, `${time(a.at)} `, el('code', {}, a.topic), ` ${short(a.payload)}`));
  } else if (a.kind === 'bus') {
    const row = el(
      'tr',
      { 'data-detail-type': a.detailType, 'data-source': a.source },
      el('td', {}, time(a.at)),
      el('td', {}, a.bus),
      el('td', {}, a.source),
      el('td', {}, a.detailType),
      el('td', {}, a.envelope?.correlationId ?? ''),
      el('td', {}, a.envelope?.sequenceNr ?? ''),
      el('td', {}, a.envelope ? String(a.envelope.persist) : ''),
      el('td', {}, short(a.detail?.context ?? a.detail, 120)),
    );
    prepend($('bus-events'), row);
    if (a.fromPipe) {
      const d = a.detail?.context ?? a.detail ?? {};
      const what = d.documentId
        ? `${d.tableName ?? ''} ${d.documentId} v${d.version ?? '?'}${d.deleted ? ' (deleted)' : ''}`
        : '';
      prepend(
        $('pipe-output'),
        el(
          'li',
          { 'data-detail-type': a.detailType },
          `${time(a.at)} ${a.detailType} ${what} `,
          el('code', {}, short(d.data ?? d, 140)),
        ),
      );
    }
  } else if (a.kind === 'queue' && a.messageGroupId !== undefined) {
    const brand = a.messageGroupId;
    let box = brands.get(brand);
    if (!box) {
      box = el(
        'div',
        { class: 'brand', 'data-brand': brand },
        el('h3', {}, `brand ${brand}`),
        el('ol', { class: 'feed' }),
      );
      brands.set(brand, box);
      $('fair-queue').append(box);
    }
    const context = a.body?.detail?.context ?? a.body;
    prepend(
      box.querySelector('ol'),
      el('li', { class: a.outcome === 'success' ? 'ok' : 'error' }, `${time(a.at)} ${a.queue}: ${short(context, 100)}`),
    );
  } else if (a.kind === 'invocation') {
    let box = invocationsByFunction.get(a.functionName);
    if (!box) {
      box = el(
        'div',
        { class: 'fn', 'data-function': a.functionName },
        el('h3', {}, `${a.functionName} `, el('small', {}, a.service)),
        el('ol', { class: 'feed' }),
      );
      invocationsByFunction.set(a.functionName, box);
      $('invocations').append(box);
    }
    const item = el(
      'li',
      { class: a.outcome === 'success' ? 'ok' : 'error' },
      `${time(a.at)} ${a.trigger} · ${a.outcome} · ${a.durationMs} ms`,
    );
    if (a.error) item.append(el('pre', { class: 'stack', 'data-testid': 'stack' }, a.error.stack));
    prepend(box.querySelector('ol'), item, 30);
  }
}

function connectStream() {
  const source = new EventSource('/api/stream');
  source.onmessage = (message) => onActivity(JSON.parse(message.data));
}

// ---------------------------------------------------------------- browser MQTT client
async function connectMqtt() {
  const presign = config.services
    .find((s) => s.name === 'iot-realtime')
    ?.http?.routes.find((r) => r.routeKey === 'GET /iot/url');
  if (!presign || !window.mqtt) return;
  $('mqtt-status').textContent = 'presigning…';
  const { url, clientIdPrefix, topicPrefix } = await (await fetch(presign.url)).json();
  // iot-realtime's topics live under its deployment's namespace (`<service>/<stage>/news`).
  const news = topicPrefix ? `${topicPrefix}/news` : 'news';
  const client = window.mqtt.connect(url, {
    clientId: `${clientIdPrefix}${Math.random().toString(36).slice(2, 10)}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  client.on('connect', () => {
    client.subscribe(news, { qos: 1 }, (error) => {
      $('mqtt-status').textContent = error ? `subscribe failed: ${error.message}` : `connected · subscribed to ${news}`;
      $('mqtt-status').dataset.state = error ? 'error' : 'subscribed';
    });
  });
  client.on('message', (topic, payload) => {
    prepend(
      $('mqtt-browser'),
      el('li', {}, `${new Date().toLocaleTimeString()} `, el('code', {}, topic), ` ${short(payload.toString())}`),
    );
  });
  client.on('close', () => {
    $('mqtt-status').textContent = 'disconnected (reload to reconnect)';
    $('mqtt-status').dataset.state = 'closed';
  });
  client.on('error', (error) => {
    $('mqtt-status').textContent = `error: ${error.message}`;
  });
}

// ---------------------------------------------------------------- buttons
async function run(button, label, action) {
  button.disabled = true;
  status(`${label}…`);
  try {
    status(`${label}: ${short(await action(), 200)}`);
  } catch (error) {
    status(`${label} failed: ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

async function showPersisted(correlationId) {
  for (let attempt = 0; attempt < 40; attempt++) {
    const { body } = await api('GET', `/api/persisted?correlationId=${encodeURIComponent(correlationId)}`);
    if ((body.items ?? []).length >= 2 || attempt === 39) {
      const list = $('persisted');
      for (const item of [...(body.items ?? [])].reverse()) {
        prepend(
          list,
          el(
            'li',
            { 'data-event-id': item.id },
            `${item.detailType} #${item.sequenceNr} ${item.id} `,
            el('code', {}, short(item.context, 100)),
          ),
        );
      }
      return body.items?.length ?? 0;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function wireButtons() {
  $('sensor-reading').onclick = (e) => run(e.target, 'Sensor reading', () => api('POST', '/api/sensor-reading'));
  $('broadcast').onclick = (e) => run(e.target, 'Broadcast', () => api('POST', '/api/broadcast'));
  $('failing').onclick = (e) =>
    run(e.target, 'Bad broadcast', async () => {
      const response = await fetch('/api/broadcast', {
        method: 'POST',
        body: JSON.stringify({ topic: 'not-a-broadcast-topic', message: 'x' }),
      });
      return (await response.json()).error?.message ?? 'unexpectedly accepted';
    });
  $('events').onclick = (e) =>
    run(e.target, 'Batch of events', async () => {
      const { status: code, body } = await api('POST', '/api/events');
      if (code !== 200) throw new Error(`POST /events answered ${code}: ${short(body)}`);
      const stored = await showPersisted(body.correlationId);
      return `${body.events.length} events, correlationId ${body.correlationId}, ${stored} persisted`;
    });
  $('ledger-record').onclick = (e) =>
    run(e.target, 'Ledger record', async () => {
      const out = await api('POST', '/api/ledger-record');
      return `record ${out.sequenceNumber} on ${out.streamName}`;
    });
  $('articles-query').onclick = (e) =>
    run(e.target, 'Articles', async () => {
      const { status: code, body } = await api('GET', '/api/articles?type=news');
      if (code !== 200) throw new Error(`GET /articles answered ${code}: ${short(body)}`);
      const list = $('articles');
      list.replaceChildren(
        ...(body.articles ?? body.items ?? body).map((a) =>
          el('li', { 'data-article': a.id ?? '' }, `${a.title} — ${a.summary ?? ''}`),
        ),
      );
      return `${list.children.length} articles`;
    });
}

config = await api('GET', '/api/config');
renderServices();
wireButtons();
connectStream();
connectMqtt().catch((error) => {
  $('mqtt-status').textContent = `presign failed: ${error.message}`;
});
