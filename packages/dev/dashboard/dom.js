// Small DOM helpers shared by the dashboard's modules (no framework).

/** The element with this id. */
export const byId = (id) => document.getElementById(id);

/**
 * An element with attributes and children; a function attribute (`onclick`) becomes a listener, a
 * `false`/`undefined` attribute is left out, any other child than a Node becomes text.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') node.addEventListener(name.replace(/^on/, ''), value);
    else if (value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** `14:03:04`: the time of day, 24-hour, so every time column has one width. */
export const clock = (iso) => new Date(iso).toLocaleTimeString([], { hourCycle: 'h23' });

/** Adds `node` at the top of `list`, keeping at most `max` children (the oldest go). */
export function prepend(list, node, max = 200) {
  list.prepend(node);
  while (list.children.length > max) list.lastElementChild.remove();
}

/** A milliseconds figure for people: `840 ms`, `2.4 s`. */
export const duration = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
