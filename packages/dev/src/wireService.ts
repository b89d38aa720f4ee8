import { LocalFirehose } from '@blueprints/local-eventbridge';
import { httpRoutesFromTemplate, LocalHttpApi, type LocalHttpRoute } from '@blueprints/local-http-api';
import { type LocalPipes, pipesFromTemplate, startPipesFromTemplate } from '@blueprints/local-pipes';
import type { LocalFunction } from '@blueprints/local-runtime';
import { type QueueTriggers, startQueueTriggers } from '@blueprints/local-sqs';
import {
  type LocalActionContext,
  type LocalIotEndpoint,
  type LocalStack,
  type LocalWiring,
  localActionContext,
} from '@blueprints/local-stack';
import type { TemplateResolver } from '@blueprints/packaging';
import type { ActivityFeed } from './activityFeed.js';
import type { ResolvedService } from './devServices.js';
import type { ObservedLambda } from './ObservedLambda.js';

/** One service running locally, wired from its packaged template. */
export interface DevService {
  name: string;
  dir: string;
  resolver: TemplateResolver;
  lambda: ObservedLambda;
  functions: LocalFunction[];
  http?: { url: string; routes: LocalHttpRoute[] };
  triggers: QueueTriggers;
  pipes?: LocalPipes;
  firehose: LocalFirehose;
  buses: string[];
  /** What the service declares in its local.ts. */
  wiring: LocalWiring;
  /** The context its declared actions run with. */
  actionContext: LocalActionContext;
}

/**
 * Wires one service's functions to the stand-ins: its buses, rules and targets (Firehose included),
 * queue triggers, pipes, and HTTP API on `httpPort`. Everything it starts closes with `stack.close()`.
 * Answers the service and the buses its pipes publish to (the dashboard marks their events).
 */
export async function wireService(
  s: ResolvedService,
  lambda: ObservedLambda,
  context: { stack: LocalStack; feed: ActivityFeed; httpPort: number; iot?: LocalIotEndpoint },
): Promise<{ service: DevService; pipeBuses: string[] }> {
  const { stack, feed } = context;
  const { bus, sqs, region, accountId } = stack;
  const firehose = LocalFirehose.fromTemplate(s.resolver, { s3: stack.clients.s3 });
  stack.onClose(() => firehose.close());
  const busesBefore = new Set(bus.eventBuses.map((b) => b.name));
  bus.loadTemplate(s.resolver, { lambda, sqs, firehose });
  const buses = bus.eventBuses.map((b) => b.name).filter((b) => !busesBefore.has(b));
  const triggers = startQueueTriggers(s.resolver, sqs, lambda, { pollIntervalMs: 100, logger: null });
  stack.onClose(() => triggers.stop());
  const pipeBuses: string[] = [];
  let pipes: LocalPipes | undefined;
  if (pipesFromTemplate(s.resolver).length > 0) {
    const started = await startPipesFromTemplate(s.resolver, {
      kinesis: stack.kinesis.client,
      lambda,
      eventBridge: bus,
      sqs,
      region,
      pollIntervalMs: 200,
    });
    pipes = started;
    stack.onClose(() => started.stop());
    for (const pipe of started.pipes) {
      // A pipe whose target is a function publishes through it to the service's own buses.
      if (pipe.targetKind === 'lambda') pipeBuses.push(...buses);
      else pipeBuses.push(pipe.target.split('/').slice(-1)[0] ?? pipe.target);
    }
  }
  const routes = httpRoutesFromTemplate(s.resolver);
  let http: DevService['http'];
  if (routes.length > 0) {
    const api = await LocalHttpApi.start(routes, lambda, {
      port: context.httpPort,
      region,
      accountId,
      onRequest: (entry) =>
        feed.publish({
          kind: 'http',
          service: s.name,
          routeKey: entry.routeKey,
          status: entry.status,
          ms: entry.ms,
          at: new Date().toISOString(),
        }),
    });
    stack.onClose(() => api.close());
    http = { url: api.url, routes };
  }
  const actionContext = localActionContext(
    { ...stack, iot: context.iot },
    { ...s, httpUrl: http?.url, invoke: (name, event) => lambda.invoke(name, event) },
  );
  return { service: { ...s, lambda, http, triggers, pipes, firehose, buses, actionContext }, pipeBuses };
}

/**
 * Shows every event the bus accepts on the feed, with the columns the owning service's local wiring
 * gives it (`describeBusEvent`) as `labels`.
 */
export function feedBusActivity(
  stack: LocalStack,
  feed: ActivityFeed,
  services: DevService[],
  pipeBuses: Set<string>,
): void {
  stack.bus.onEvent((event, info) => {
    const detail = event.detail as Record<string, unknown>;
    const owner = services.find((s) => s.buses.includes(info.busName));
    const labels = owner?.wiring.describeBusEvent?.(detail);
    feed.publish({
      kind: 'bus',
      service: owner?.name ?? '',
      bus: info.busName,
      fromPipe: pipeBuses.has(info.busName),
      id: event.id,
      source: event.source,
      detailType: event['detail-type'],
      time: event.time,
      ...(labels ? { labels } : {}),
      detail,
      at: new Date().toISOString(),
    });
  });
}
