// The pnpm dev dashboard: plain DOM, no framework. Data comes from /api/config, the Server-Sent
// Events stream /api/stream, the actions the services declare (POST /api/services/<service>/actions/<id>),
// and an MQTT connection to the local IoT gateway opened through a service's declared presigning route.
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

async function api(method, path, input) {
  const response = await fetch(path, { method, ...(input === undefined ? {} : { body: JSON.stringify(input) }) });
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
  renderActions();
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
      // The columns the owning service declares for its events (describeBusEvent in its local.ts).
      el(
        'td',
        {},
        Object.entries(a.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      ),
      el('td', {}, short(a.detail, 120)),
    );
    prepend($('bus-events'), row);
    if (a.fromPipe) {
      prepend(
        $('pipe-output'),
        el(
          'li',
          { 'data-detail-type': a.detailType },
          `${time(a.at)} ${a.detailType} `,
          el('code', {}, short(a.detail, 140)),
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
        el('h3', {}, `MessageGroupId ${brand}`),
        el('ol', { class: 'feed' }),
      );
      brands.set(brand, box);
      $('fair-queue').append(box);
    }
    const context = a.body?.detail ?? a.body;
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
  const declared = config.services.find((s) => s.browserMqtt)?.browserMqtt;
  if (!declared || !window.mqtt) return;
  $('mqtt-status').textContent = 'presigning…';
  const { url, clientIdPrefix, topicPrefix } = await (await fetch(declared.presignUrl)).json();
  // The service's topics live under its deployment's namespace (`<service>/<stage>/<topic>`).
  const news = declared.topics.map((t) => (topicPrefix ? `${topicPrefix}/${t}` : t));
  const client = window.mqtt.connect(url, {
    clientId: `${clientIdPrefix}${Math.random().toString(36).slice(2, 10)}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  client.on('connect', () => {
    client.subscribe(news, { qos: 1 }, (error) => {
      $('mqtt-status').textContent = error
        ? `subscribe failed: ${error.message}`
        : `connected · subscribed to ${news.join(', ')}`;
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

// One button per action a service declares in its local.ts; the result lands in the results list.
function renderActions() {
  const nav = $('actions');
  for (const b of nav.querySelectorAll('button[data-action]')) b.remove();
  const statusNode = $('action-status');
  for (const s of config.services) {
    for (const action of s.actions ?? []) {
      const key = `${s.name}/${action.id}`;
      const button = el(
        'button',
        {
          type: 'button',
          'data-action': key,
          'data-testid': `action-${s.name}-${action.id}`,
          title: action.description,
        },
        action.label,
      );
      button.onclick = () =>
        run(button, action.label, async () => {
          const path = `/api/services/${encodeURIComponent(s.name)}/actions/${encodeURIComponent(action.id)}`;
          const result = await api('POST', path, action.input ?? {});
          prepend(
            $('action-results'),
            el(
              'li',
              { 'data-action': key },
              `${time(new Date())} ${key} `,
              el('pre', {}, JSON.stringify(result, null, 1)),
            ),
            30,
          );
          return result;
        });
      nav.insertBefore(button, statusNode);
    }
  }
}

config = await api('GET', '/api/config');
renderServices();
connectStream();
connectMqtt().catch((error) => {
  $('mqtt-status').textContent = `presign failed: ${error.message}`;
});
