import { LocalFirehose } from '@blueprints/local-eventbridge';
import { httpRoutesFromTemplate, LocalHttpApi, type LocalHttpRoute } from '@blueprints/local-http-api';
import { type LocalPipes, pipesFromTemplate, startPipesFromTemplate } from '@blueprints/local-pipes';
import type { LocalLambda } from '@blueprints/local-runtime';
import { type QueueTriggers, startQueueTriggers } from '@blueprints/local-sqs';
import { localActionContext } from './localActions.js';
import type { LocalActionContext, LocalIotEndpoint } from './localWiring.js';
import type { ResolvedService } from './resolveService.js';
import type { StandIns } from './standIns.js';

/** One request a local HTTP API answered. */
export interface LocalHttpRequest {
  service: string;
  routeKey: string;
  status: number;
  ms: number;
}

/** One service running locally, wired from its packaged template. */
export interface LocalService extends ResolvedService {
  lambda: LocalLambda;
  http?: { url: string; routes: LocalHttpRoute[] };
  triggers: QueueTriggers;
  pipes?: LocalPipes;
  firehose: LocalFirehose;
  /** The event buses its template declares. */
  buses: string[];
  /** The buses its pipes publish to (their events are pipe output). */
  pipeBuses: string[];
  /** The context its declared actions run with. */
  actionContext: LocalActionContext;
}

/**
 * Wires one service's functions to the stand-ins: its buses, rules and targets (Firehose included),
 * queue triggers, pipes, and HTTP API on `httpPort`. Everything it starts closes with `stack.close()`.
 */
export async function wireService(
  s: ResolvedService,
  lambda: LocalLambda,
  context: {
    stack: StandIns;
    httpPort: number;
    iot?: LocalIotEndpoint;
    onHttpRequest?: (request: LocalHttpRequest) => void;
    pollIntervalMs?: number;
  },
): Promise<LocalService> {
  const { stack } = context;
  const { bus, sqs, region, accountId } = stack;
  const firehose = LocalFirehose.fromTemplate(s.resolver, { s3: stack.clients.s3 });
  stack.onClose(() => firehose.close());
  const busesBefore = new Set(bus.eventBuses.map((b) => b.name));
  bus.loadTemplate(s.resolver, { lambda, sqs, firehose });
  const buses = bus.eventBuses.map((b) => b.name).filter((b) => !busesBefore.has(b));
  const triggers = startQueueTriggers(s.resolver, sqs, lambda, {
    pollIntervalMs: context.pollIntervalMs ?? 100,
    logger: null,
  });
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
      pollIntervalMs: context.pollIntervalMs ?? 200,
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
  let http: LocalService['http'];
  if (routes.length > 0) {
    const api = await LocalHttpApi.start(routes, lambda, {
      port: context.httpPort,
      region,
      accountId,
      onRequest: (entry) =>
        context.onHttpRequest?.({ service: s.name, routeKey: entry.routeKey, status: entry.status, ms: entry.ms }),
    });
    stack.onClose(() => api.close());
    http = { url: api.url, routes };
  }
  const actionContext = localActionContext(
    { ...stack, iot: context.iot },
    { ...s, httpUrl: http?.url, invoke: (name, event) => lambda.invoke(name, event) },
  );
  return { ...s, lambda, http, triggers, pipes, firehose, buses, pipeBuses, actionContext };
}
