// The invoke form: any function of any service, with a payload editor prefilled from the
// service's `events/<function>.json`, answered like Lambda's Invoke (result or FunctionError).
import { byId, duration, el } from './dom.js';
import { renderResult } from './resultView.js';

const functionPath = (name, what) => `/api/functions/${encodeURIComponent(name)}/${what}`;

/** The payloads typed per function, so switching functions does not lose an edit. */
const edited = new Map();

/** Counts payload loads: only the latest one may fill the editor. */
let loads = 0;

/**
 * While a sample event is on its way the editor is read-only and the form cannot be sent: text typed
 * meanwhile would be overwritten or mixed with the sample, and a send would carry the previous payload.
 */
function setLoading(loading) {
  byId('invoke-payload').readOnly = loading;
  byId('invoke-submit').disabled = loading;
}

async function loadPayload(fn) {
  const editor = byId('invoke-payload');
  const hint = byId('invoke-sample');
  const load = ++loads;
  setLoading(false);
  if (edited.has(fn.name)) {
    editor.value = edited.get(fn.name);
    return;
  }
  if (!fn.sampleEvent) {
    editor.value = '{}';
    hint.textContent = 'no sample event for this function';
    return;
  }
  hint.textContent = `loading ${fn.sampleEvent}…`;
  setLoading(true);
  let sample = '{}';
  try {
    const response = await fetch(functionPath(fn.name, 'sample-event'));
    if (response.ok) sample = JSON.stringify(await response.json(), null, 2);
  } catch {
    // The dev server did not answer: an empty payload, as for a function without a sample.
  }
  // Another function was picked meanwhile: its own load fills the editor.
  if (load !== loads) return;
  editor.value = sample;
  hint.textContent = `prefilled from ${fn.sampleEvent}`;
  setLoading(false);
}

function showInvocation(answer) {
  const status = byId('invoke-status');
  const result = byId('invoke-result');
  const form = byId('invoke-form');
  if (answer.functionError) {
    const { errorType, errorMessage, trace } = answer.functionError;
    form.dataset.state = 'error';
    status.textContent = `FunctionError: Unhandled · ${duration(answer.durationMs)}`;
    // The trace starts with the `type: message` line shown above it.
    const frames = trace[0] === `${errorType}: ${errorMessage}` ? trace.slice(1) : trace;
    result.replaceChildren(
      el('p', { class: 'error' }, `${errorType}: ${errorMessage}`),
      frames.length ? el('pre', { class: 'stack', 'data-testid': 'invoke-trace' }, frames.join('\n')) : '',
    );
    return;
  }
  form.dataset.state = 'ok';
  status.textContent = `ok · ${duration(answer.durationMs)}`;
  result.replaceChildren(renderResult(answer.result));
}

function showFailure(message) {
  byId('invoke-form').dataset.state = 'failed';
  byId('invoke-status').textContent = message;
  byId('invoke-result').replaceChildren();
}

async function invoke(fn) {
  let payload;
  try {
    payload = JSON.parse(byId('invoke-payload').value || '{}');
  } catch (error) {
    showFailure(`payload is not JSON: ${error.message}`);
    return;
  }
  const button = byId('invoke-submit');
  button.disabled = true;
  byId('invoke-form').dataset.state = 'running';
  byId('invoke-status').textContent = `invoking ${fn.name}…`;
  try {
    const response = await fetch(functionPath(fn.name, 'invoke'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const answer = await response.json();
    if (response.ok) showInvocation(answer);
    else showFailure(`${answer.error?.name ?? response.status}: ${answer.error?.message ?? response.statusText}`);
  } catch (error) {
    showFailure(`the dev server did not answer: ${error.message}`);
  } finally {
    // Still disabled when a sample event is loading for the function picked meanwhile.
    button.disabled = byId('invoke-payload').readOnly;
  }
}

/** Fills the function picker from the config and wires the form (again after a reconnect). */
export function renderInvokeForm(services) {
  const picker = byId('invoke-function');
  const previous = picker.value;
  const functions = new Map();
  picker.replaceChildren(
    ...services.map((s) =>
      el(
        'optgroup',
        { label: s.name },
        s.functions.map((f) => {
          functions.set(f.name, f);
          return el('option', { value: f.name }, f.name);
        }),
      ),
    ),
  );
  if (functions.has(previous)) picker.value = previous;
  const selected = () => functions.get(picker.value);
  picker.onchange = () => selected() && loadPayload(selected());
  byId('invoke-payload').oninput = (event) => edited.set(picker.value, event.target.value);
  byId('invoke-reset').onclick = () => {
    edited.delete(picker.value);
    if (selected()) loadPayload(selected());
  };
  byId('invoke-form').onsubmit = (event) => {
    event.preventDefault();
    if (selected()) invoke(selected());
  };
  byId('invoke-submit').disabled = functions.size === 0;
  if (selected()) return loadPayload(selected());
}
