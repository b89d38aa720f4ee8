// One card per action a service declares: its own input, Run button, status and result, so
// actions running at the same time never write over each other's outcome.
import { byId, clock, duration, el } from './dom.js';
import { renderResult } from './resultView.js';

const actionPath = (service, id) => `/api/services/${encodeURIComponent(service)}/actions/${encodeURIComponent(id)}`;

/** Writes an outcome (`{ outcome: 'ok' | 'error', result | error, durationMs, at }`) into a card. */
function showOutcome(card, outcome, how = '') {
  const status = card.querySelector('.status');
  const result = card.querySelector('.result');
  card.dataset.state = outcome.outcome;
  status.textContent = `${outcome.outcome === 'ok' ? 'ok' : 'failed'} · ${duration(outcome.durationMs)} · ${clock(outcome.at)}${how}`;
  result.replaceChildren(
    outcome.outcome === 'ok'
      ? renderResult(outcome.result)
      : el('p', { class: 'error' }, `${outcome.error?.name ?? 'Error'}: ${outcome.error?.message ?? ''}`),
  );
}

function parseInput(card) {
  const editor = card.querySelector('textarea');
  if (!editor) return {};
  try {
    return JSON.parse(editor.value || '{}');
  } catch (error) {
    throw Object.assign(new Error(`input is not JSON: ${error.message}`), { name: 'InvalidInput' });
  }
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = answer?.error ?? { name: `HTTP ${response.status}`, message: response.statusText };
    throw Object.assign(new Error(error.message), { name: error.name });
  }
  return answer;
}

/** Runs a card's action; only the newest run of a card writes its outcome. */
async function run(card, service, action) {
  const runId = (Number(card.dataset.run ?? 0) + 1).toString();
  card.dataset.run = runId;
  const button = card.querySelector('button');
  const started = Date.now();
  button.disabled = true;
  card.dataset.state = 'running';
  card.querySelector('.status').textContent = `running since ${clock(new Date(started).toISOString())}…`;
  let outcome;
  try {
    const result = await post(actionPath(service, action.id), parseInput(card));
    outcome = { outcome: 'ok', result, durationMs: Date.now() - started, at: new Date().toISOString() };
  } catch (error) {
    outcome = {
      outcome: 'error',
      error: { name: error.name, message: error.message },
      durationMs: Date.now() - started,
      at: new Date().toISOString(),
    };
  }
  if (card.dataset.run !== runId) return;
  button.disabled = false;
  showOutcome(card, outcome);
}

function actionCard(service, action) {
  const card = el(
    'article',
    {
      class: 'card action',
      'data-service': service,
      'data-action': action.id,
      'data-state': 'idle',
      'data-testid': `action-${service}-${action.id}`,
    },
    el('header', {}, el('h3', {}, action.label), el('small', {}, service)),
    action.description ? el('p', { class: 'hint' }, action.description) : '',
    action.input === undefined
      ? ''
      : el(
          'textarea',
          { class: 'input', rows: 3, spellcheck: 'false', 'aria-label': `${action.label} input` },
          JSON.stringify(action.input, null, 2),
        ),
    el(
      'div',
      { class: 'run' },
      el('button', { type: 'button', onclick: () => run(card, service, action) }, 'Run'),
      el('span', { class: 'status', 'data-testid': 'action-status' }, 'not run yet'),
    ),
    el('div', { class: 'result' }),
  );
  return card;
}

/** The narrowest an action card gets before the cards wrap into more rows. */
const MIN_CARD_WIDTH = 280;
const GAP = 10;

/**
 * As many columns as fit, then balanced across the rows they need (7 cards on room for 6 make
 * rows of 4 and 3, not 6 and 1); the cards of a shorter last row grow to fill it (CSS flex-grow),
 * so no row ends in an empty slot at any width.
 */
function balanceColumns(container) {
  const cards = container.querySelectorAll('article.action').length;
  if (cards === 0) return;
  const fit = Math.max(1, Math.floor((container.clientWidth + GAP) / (MIN_CARD_WIDTH + GAP)));
  const rows = Math.ceil(cards / Math.min(fit, cards));
  container.style.setProperty('--action-columns', String(Math.ceil(cards / rows)));
}

let observed;

/**
 * Renders every declared action of every service into `#actions`, then fills each card with the
 * last outcome the server kept for it (so a reload shows what was last run).
 */
export async function renderActionCards(services) {
  const cards = services.flatMap((s) => (s.actions ?? []).map((a) => actionCard(s.name, a)));
  const container = byId('actions');
  container.replaceChildren(...cards);
  if (cards.length === 0) container.append(el('p', { class: 'hint' }, 'No service running here declares an action.'));
  balanceColumns(container);
  observed ??= new ResizeObserver(() => balanceColumns(container));
  observed.observe(container);
  const last = await fetch('/api/actions/last-outcomes')
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}));
  for (const card of cards) {
    const outcome = last[`${card.dataset.service}/${card.dataset.action}`];
    if (outcome && card.dataset.state === 'idle') showOutcome(card, outcome, ' (before this page loaded)');
  }
}
