// JSON values shown in full: compact and wrapped where they sit, pretty-printed on a click.
import { el } from './dom.js';

const compact = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
const pretty = (value) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

/** Beyond this many characters a value starts folded to a few lines (the whole text is there: a click unfolds it). */
const LONG = 240;

/**
 * A value in a table cell or list line: strings as they are, anything else as one line of JSON,
 * wrapped, never cut: a long value shows its first lines until clicked, and a click on an object
 * switches between that line and the indented form.
 */
export function jsonValue(value) {
  const text = compact(value);
  const node = el('span', { class: 'json' }, text);
  const isObject = value !== null && typeof value === 'object';
  if (!isObject && text.length <= LONG) return node;
  node.classList.add('expandable');
  if (text.length > LONG) node.classList.add('long');
  node.title = 'click to unfold or fold';
  node.addEventListener('click', (event) => {
    event.stopPropagation();
    const expanded = node.classList.toggle('expanded');
    node.textContent = expanded && isObject ? pretty(value) : text;
  });
  return node;
}

/** An object's top-level fields, one per line (`key value`), each value in full. */
export function fieldList(value, className = '') {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return jsonValue(value);
  return el(
    'dl',
    { class: `fields ${className}`.trim() },
    Object.entries(value).flatMap(([key, field]) => [el('dt', {}, key), el('dd', {}, jsonValue(field))]),
  );
}

/** The whole value, indented, in a block of its own. */
export const jsonBlock = (value) => el('pre', { class: 'json-block' }, pretty(value));
