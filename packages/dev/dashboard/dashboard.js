// The pnpm dev dashboard: plain DOM modules, no framework. What runs comes from /api/config
// (services, their functions and declared actions, endpoints); what happens comes from the
// Server-Sent Events stream /api/stream; the action cards and the invoke form call the API.
import { renderActionCards } from './actionCards.js';
import { connectActivityStream } from './activityStream.js';
import { createActivityViews } from './activityViews.js';
import { byId, clock, el } from './dom.js';
import { renderInvokeForm } from './invokeForm.js';

function renderSummary(config) {
  const names = config.services.map((s) => s.name).join(', ');
  byId('summary').textContent =
    `${config.services.length} service(s): ${names} · started in ${(config.startupMs / 1000).toFixed(1)} s · data in ${config.dataDir}`;
}

function renderServices(config) {
  const endpoints = el(
    'ul',
    { class: 'endpoints' },
    Object.entries(config.endpoints)
      .filter(([, url]) => typeof url === 'string')
      .map(([name, url]) => el('li', {}, `${name} `, el('code', {}, url))),
  );
  const services = config.services.map((s) =>
    el(
      'div',
      { class: 'service', 'data-service': s.name },
      el('h3', {}, s.name),
      el(
        'ul',
        {},
        el('li', {}, `functions: ${s.functions.map((f) => f.name).join(', ')}`),
        (s.http?.routes ?? []).map((r) => el('li', {}, el('code', {}, `${r.routeKey.split(' ')[0]} ${r.url}`))),
        (s.pipes ?? []).map((p) => el('li', {}, `pipe ${p.name}: ${p.stream} → ${p.target}`)),
      ),
    ),
  );
  byId('services').replaceChildren(endpoints, ...services);
}

/** The header's account of the server: live while the stream is open, disconnected (since when) otherwise. */
function showServerState(state) {
  const node = byId('server-state');
  if (node.dataset.state === state) return;
  node.dataset.state = state;
  document.body.classList.toggle('offline', state === 'disconnected');
  node.textContent =
    state === 'live'
      ? 'running'
      : `disconnected since ${clock(new Date().toISOString())}: pnpm dev stopped or unreachable, reconnecting…`;
}

async function loadConfig() {
  const response = await fetch('/api/config');
  if (!response.ok) throw new Error(`GET /api/config answered ${response.status}`);
  const config = await response.json();
  renderSummary(config);
  renderServices(config);
  renderInvokeForm(config.services);
  await renderActionCards(config.services);
}

const views = createActivityViews();
let opened = false;
connectActivityStream({
  onActivity: (activity) => views.add(activity),
  onOpen: () => {
    views.reset();
    // After a reconnect the server may be a new `pnpm dev` with other services.
    if (opened) loadConfig().catch((error) => console.error(error));
    opened = true;
  },
  onState: showServerState,
});
await loadConfig();
