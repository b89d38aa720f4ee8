// An action's or invocation's result, whatever its shape: the list of records in it, its other
// scalar fields as a summary line, the whole value as JSON on demand.
import { el } from './dom.js';
import { fieldList, jsonBlock } from './jsonView.js';

const isRecord = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The first list of objects in a value, searched breadth-first two levels down (`[…]`,
 * `{items: […]}`, `{status, body: {items: […]}}`): what a query answers with.
 */
function rowsOf(value) {
  let level = [value];
  for (let depth = 0; depth < 3 && level.length > 0; depth++) {
    for (const candidate of level) {
      if (Array.isArray(candidate) && candidate.length > 0 && candidate.every(isRecord)) return candidate;
    }
    level = level.filter(isRecord).flatMap((v) => Object.values(v));
  }
  return undefined;
}

/** Each record as its own block of `field value` lines: readable in a narrow card, whatever the number of fields. */
const recordList = (rows) =>
  el(
    'ol',
    { class: 'records' },
    rows.map((row) => el('li', {}, fieldList(row))),
  );

/** Top-level scalar fields (`status 200`), the ones a reader checks first. */
function summaryOf(value) {
  if (!isRecord(value)) return undefined;
  const scalars = Object.entries(value).filter(([, v]) => v === null || typeof v !== 'object');
  if (scalars.length === 0) return undefined;
  return el(
    'p',
    { class: 'summary' },
    scalars.map(([k, v]) => el('span', { class: 'chip' }, `${k} `, el('b', {}, String(v)))),
  );
}

/**
 * The view of a result: the list of records it holds (with the count), its scalar fields, and the
 * full JSON (folded when the records show it already).
 */
export function renderResult(value) {
  const rows = rowsOf(value);
  if (!rows) return el('div', { class: 'result-view' }, summaryOf(value), jsonBlock(value));
  return el(
    'div',
    { class: 'result-view' },
    summaryOf(value),
    el('p', { class: 'count' }, `${rows.length} row${rows.length === 1 ? '' : 's'}`),
    recordList(rows),
    el('details', {}, el('summary', {}, 'JSON'), jsonBlock(value)),
  );
}
