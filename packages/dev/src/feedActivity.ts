import type { LocalStack } from '@blueprints/local-stack';
import type { ActivityFeed } from './activityFeed.js';

/**
 * Shows on the feed every event the bus accepts (with the columns the owning service's local wiring
 * gives it, `describeBusEvent`, as `labels`) and every message the IoT gateway routes.
 */
export function feedStackActivity(stack: LocalStack, feed: ActivityFeed): void {
  stack.bus.onEvent((event, info) => {
    const detail = event.detail as Record<string, unknown>;
    const owner = stack.services.find((s) => s.buses.includes(info.busName));
    const labels = owner?.wiring.describeBusEvent?.(detail);
    feed.publish({
      kind: 'bus',
      service: owner?.name ?? '',
      bus: info.busName,
      fromPipe: stack.services.some((s) => s.pipeBuses.includes(info.busName)),
      id: event.id,
      source: event.source,
      detailType: event['detail-type'],
      time: event.time,
      ...(labels ? { labels } : {}),
      detail,
      at: new Date().toISOString(),
    });
  });
  stack.gateway?.onMessage((m) => {
    if (m.topic.startsWith('$aws/rules/')) return;
    feed.publish({
      kind: 'mqtt',
      topic: m.topic,
      payload: m.payload.toString('utf8').slice(0, 4000),
      ...(m.clientId ? { clientId: m.clientId } : {}),
      retain: m.retain,
      at: new Date().toISOString(),
    });
  });
}
