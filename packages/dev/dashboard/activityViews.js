// The live feeds: every activity the dev server streams (invocations, bus events, queue deliveries,
// MQTT messages routed by the gateway, HTTP requests), rendered as it arrives. The server replays
// its recent history to each new stream, so `reset()` then the replay rebuilds the same views.
import { byId, clock, duration, el, prepend } from './dom.js';
import { fieldList, jsonValue } from './jsonView.js';

const outcomeClass = (outcome) => (outcome === 'success' ? 'ok' : 'error');

/** One group box per key in a container, made on first use (per function, per queue, per message group). */
function groups(container, make) {
  const boxes = new Map();
  return {
    get(key, ...args) {
      let box = boxes.get(key);
      if (!box) {
        box = make(key, ...args);
        boxes.set(key, box);
        container.append(box);
      }
      return box;
    },
    clear() {
      boxes.clear();
      container.replaceChildren();
    },
  };
}

function counter(id) {
  let count = 0;
  return {
    add() {
      count++;
      byId(id).textContent = String(count);
    },
    clear() {
      count = 0;
      byId(id).textContent = '0';
    },
  };
}

/** A feed that is one list (or table body): each activity rendered as one item, newest first, counted. */
function listFeed(listId, countId, render) {
  const list = byId(listId);
  const count = counter(countId);
  return {
    add(a) {
      prepend(list, render(a));
      count.add();
    },
    clear() {
      list.replaceChildren();
      count.clear();
    },
  };
}

/**
 * An event's detail, field by field: first the fields its service labels it with (e.g. its
 * correlation id), highlighted, then the detail's other fields.
 */
function detailFields(a) {
  const labels = a.labels ?? {};
  const labelled = (key, value) => key in labels && JSON.stringify(labels[key]) === JSON.stringify(value);
  const isRecord = a.detail !== null && typeof a.detail === 'object' && !Array.isArray(a.detail);
  const rest = isRecord ? Object.fromEntries(Object.entries(a.detail).filter(([k, v]) => !labelled(k, v))) : a.detail;
  return el('div', {}, Object.keys(labels).length ? fieldList(labels, 'labels') : '', fieldList(rest));
}

const busView = () =>
  listFeed('bus-events', 'bus-count', (a) =>
    el(
      'tr',
      { 'data-source': a.source, 'data-detail-type': a.detailType, 'data-bus': a.bus },
      el('td', { class: 'nowrap' }, clock(a.at)),
      el('td', {}, a.bus, a.fromPipe ? el('span', { class: 'badge', title: "a Pipe's output" }, 'pipe') : ''),
      el('td', {}, a.source),
      el('td', {}, a.detailType),
      el('td', { class: 'detail' }, detailFields(a)),
    ),
  );

function invocationView() {
  const count = counter('invocation-count');
  const byFunction = groups(byId('invocations'), (name, service) =>
    el(
      'div',
      { class: 'group', 'data-function': name },
      el('h3', {}, name, ' ', el('small', {}, service)),
      el('ol', { class: 'feed' }),
    ),
  );
  return {
    add(a) {
      const item = el(
        'li',
        { class: outcomeClass(a.outcome) },
        `${clock(a.at)} ${a.trigger} · ${a.outcome} · ${duration(a.durationMs)}`,
        a.error ? el('pre', { class: 'stack', 'data-testid': 'stack' }, a.error.stack) : '',
      );
      prepend(byFunction.get(a.functionName, a.service).querySelector('ol'), item, 50);
      count.add();
    },
    clear() {
      byFunction.clear();
      count.clear();
    },
  };
}

function queueView() {
  const count = counter('queue-count');
  const byQueue = groups(byId('queues'), (queue) =>
    el('div', { class: 'group', 'data-queue': queue }, el('h3', {}, queue), el('div', { class: 'message-groups' })),
  );
  const byMessageGroup = new Map();
  return {
    add(a) {
      const queueBox = byQueue.get(a.queue);
      const groupKey = `${a.queue}\n${a.messageGroupId ?? ''}`;
      let list = byMessageGroup.get(groupKey);
      if (!list) {
        list = el('ol', { class: 'feed' });
        const title = a.messageGroupId === undefined ? 'no message group' : `group ${a.messageGroupId}`;
        queueBox
          .querySelector('.message-groups')
          .append(
            el(
              'div',
              { class: 'message-group', 'data-message-group': a.messageGroupId ?? '' },
              el('h4', {}, title),
              list,
            ),
          );
        byMessageGroup.set(groupKey, list);
      }
      prepend(
        list,
        el(
          'li',
          { class: a.outcome === 'success' ? 'ok' : 'error', 'data-message-id': a.messageId },
          `${clock(a.at)} → ${a.functionName} · receive #${a.receiveCount} · ${a.outcome} `,
          jsonValue(a.body?.detail ?? a.body),
        ),
        50,
      );
      count.add();
    },
    clear() {
      byQueue.clear();
      byMessageGroup.clear();
      count.clear();
    },
  };
}

function payloadOf(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const mqttView = () =>
  listFeed('mqtt', 'mqtt-count', (a) =>
    el(
      'li',
      { 'data-topic': a.topic },
      `${clock(a.at)} `,
      el('code', {}, a.topic),
      a.clientId ? el('small', {}, ` from ${a.clientId}`) : '',
      a.retain ? el('span', { class: 'badge' }, 'retained') : '',
      ' ',
      jsonValue(payloadOf(a.payload)),
    ),
  );

const httpView = () =>
  listFeed('http', 'http-count', (a) =>
    el(
      'li',
      { class: a.status < 400 ? 'ok' : 'error' },
      `${clock(a.at)} `,
      el('code', {}, a.routeKey),
      ` ${a.status} · ${duration(a.ms)} `,
      el('small', {}, a.service),
    ),
  );

/** Every feed view, fed by `add(activity)` and emptied by `reset()`. */
export function createActivityViews() {
  const views = {
    bus: busView(),
    invocation: invocationView(),
    queue: queueView(),
    mqtt: mqttView(),
    http: httpView(),
  };
  return {
    add(activity) {
      views[activity.kind]?.add(activity);
    },
    reset() {
      for (const view of Object.values(views)) view.clear();
    },
  };
}
