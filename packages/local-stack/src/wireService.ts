import { LocalFirehose } from '@blueprints/local-eventbridge';
import { httpRoutesFromTemplate, LocalHttpApi, type LocalHttpRoute } from '@blueprints/local-http-api';
import { type LocalPipes, pipesFromTemplate, startPipesFromTemplate } from '@blueprints/local-pipes';
import type { LocalLambda } from '@blueprints/local-runtime';
import { type QueueTriggers, startQueueTriggers } from '@blueprints/local-sqs';
import type { LocalCredentials } from './devCredentials.js';
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
  /** The keys its functions run and sign with (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`). */
  credentials: LocalCredentials;
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
 * queue triggers, pipes, and HTTP API on `httpPort`. Everything it starts but the Firehose closes with
 * `stack.close()` (its rules are removed then too, so that a rewire can stop one service's wiring).
 */
export async function wireService(
  s: ResolvedService,
  lambda: LocalLambda,
  context: {
    stack: StandIns;
    credentials: LocalCredentials;
    httpPort: number;
    iot?: LocalIotEndpoint;
    onHttpRequest?: (request: LocalHttpRequest) => void;
    pollIntervalMs?: number;
    /** Where Firehose keeps its buffered records (closed, and flushed, by startLocalStack after the bus drains). */
    firehoseSpoolDir?: string;
  },
): Promise<LocalService> {
  const { stack } = context;
  const { bus, sqs, region, accountId } = stack;
  // Closed (flushed) by startLocalStack once the bus has delivered what is in flight.
  // With a spool folder its buffer is on disk too: records a killed run had not archived go out on the next start.
  const firehose = LocalFirehose.fromTemplate(s.resolver, {
    s3: stack.clients.s3,
    spoolDir: context.firehoseSpoolDir,
  });
  const loaded = bus.loadTemplate(s.resolver, { lambda, sqs, firehose });
  const { buses } = loaded;
  // A rewire stops this wiring: its rules go with it (the buses stay, as a stack update keeps a bus it still declares).
  stack.onClose(() => {
    for (const rule of loaded.rules) bus.deleteRule(rule.busName, rule.name);
  });
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
  return {
    ...s,
    lambda,
    credentials: context.credentials,
    http,
    triggers,
    pipes,
    firehose,
    buses,
    pipeBuses,
    actionContext,
  };
}
