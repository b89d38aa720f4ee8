import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapBundleStackTrace } from '@blueprints/local-runtime';
import {
  describeLocalActions,
  InvalidLocalActionInputError,
  runLocalAction,
  UnknownLocalActionError,
} from '@blueprints/local-stack';
import { findDevFunction, invokeDevFunction, sampleEventOf } from './dashboardInvoke.js';
import type { DevEnvironment } from './devEnvironment.js';
import { LastActionOutcomes } from './lastActionOutcomes.js';
import { DEV_PORT_FLAGS, DevPortInUseError } from './ports.js';
import { sameOriginRefusal } from './sameOriginGuard.js';

const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dashboard');
const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/**
 * The page's own files: `/` is `index.html`, `/favicon.ico` the SVG icon (browsers ask for it
 * whatever the page links), any other `/<name>.<js|css|svg>` the file of that name in `dashboard/`.
 * The name pattern admits no `/` and no `..`, so nothing outside that folder is served.
 */
function staticFile(pathname: string): [file: string, type: string] | undefined {
  const name = pathname === '/' ? 'index.html' : pathname === '/favicon.ico' ? 'favicon.svg' : pathname.slice(1);
  const match = /^[a-z][\w-]*\.(html|js|css|svg)$/.exec(name);
  const type = match ? CONTENT_TYPES[match[1] as string] : undefined;
  const file = join(DASHBOARD_DIR, name);
  return type && existsSync(file) ? [file, type] : undefined;
}

/** What the page needs to know: services, functions, endpoints. */
export function describeDevEnvironment(dev: DevEnvironment) {
  return {
    dataDir: dev.dataDir,
    region: dev.region,
    startupMs: dev.startupMs,
    services: dev.services.map((s) => ({
      name: s.name,
      functions: s.functions.map((f) => ({
        name: f.name,
        logicalId: f.logicalId,
        handler: f.handler,
        sampleEvent: sampleEventOf(s.dir, f),
      })),
      http: s.http
        ? {
            url: s.http.url,
            routes: s.http.routes.map((r) => ({ routeKey: r.routeKey, url: `${s.http?.url}${r.path}` })),
          }
        : undefined,
      buses: s.buses,
      pipes: s.pipes?.pipes.map((p) => ({ name: p.name, stream: p.streamName, target: p.target })),
      actions: describeLocalActions(s.wiring),
    })),
    endpoints: {
      eventBridge: dev.bus.endpoint,
      sqs: dev.sqs.endpoint,
      dynamodb: dev.dynamodb.endpoint,
      dynamodbPersistent: dev.dynamodb.persistent,
      s3: dev.s3.endpoint,
      kinesis: dev.kinesis.endpoint,
      lambda: dev.lambdaApi.endpoint,
      ...(dev.gateway
        ? { iotWebSocket: dev.gateway.wsUrl, iotMqtt: dev.gateway.mqttUrl, iotDataPlane: dev.gateway.dataPlaneEndpoint }
        : {}),
      ...(dev.postgres
        ? { postgres: `postgres://${dev.postgres.user}@127.0.0.1:${dev.postgres.port}/${dev.postgres.database}` }
        : {}),
    },
  };
}

/** A request the dashboard API cannot read (400, 413) or that names nothing it knows (404): not a server failure. */
export class BadDashboardRequestError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 413 = 400,
  ) {
    super(message);
    this.name = 'BadDashboardRequestError';
  }
}

/** The page sends a few hundred bytes; anything near this is not the page. */
const MAX_BODY_BYTES = 64 * 1024;
/** An invocation payload may be as large as Lambda's synchronous Invoke takes. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** The body as any JSON value (an empty body is `{}`, as Lambda's Invoke takes it). */
async function readJsonValue(req: IncomingMessage, maxBytes: number, expected = 'JSON'): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BadDashboardRequestError(`body larger than ${maxBytes} bytes`, 413);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text.trim() ? JSON.parse(text) : {};
  } catch {
    throw new BadDashboardRequestError(`body must be ${expected}`);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJsonValue(req, MAX_BODY_BYTES, 'a JSON object');
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new BadDashboardRequestError('body must be a JSON object');
  return body as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Absolute file paths (and file: URLs) in a message: they tell a caller where the repo lives. */
const FILE_PATH = /file:\/\/\S+|(?<![\w/:.])\/(?:[\w.@+-]+\/)+[\w.@+-]*/g;

/**
 * What an API caller gets for a failure: the error's name and message, with file paths removed,
 * and no stack. The mapped stack of a failed invocation stays in the invocation feed (and the
 * terminal); other failures print theirs to the terminal with DEBUG set.
 */
export function errorBody(error: unknown): { error: { name: string; message: string } } {
  const e = error as Error;
  return {
    error: {
      name: typeof e?.name === 'string' ? e.name : 'Error',
      message: String(e?.message ?? e).replace(FILE_PATH, '<path>'),
    },
  };
}

/** 4xx for what the caller got wrong (an unreadable body, an unknown action, bad input); undefined otherwise. */
function clientErrorStatus(error: unknown): number | undefined {
  if (error instanceof BadDashboardRequestError) return error.status;
  if (error instanceof UnknownLocalActionError || error instanceof InvalidLocalActionInputError) return error.status;
  return undefined;
}

function reportFailure(key: string, error: unknown): void {
  const e = error as Error;
  console.error(`dashboard: ${key} failed: ${e?.message ?? e}`);
  if (process.env.DEBUG) console.error(mapBundleStackTrace(String(e?.stack ?? '')));
}

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

/** `POST /api/services/<service>/actions/<id>`: runs an action a service declares in its local.ts. */
const ACTION_PATH = /^\/api\/services\/([^/]+)\/actions\/([^/]+)$/;

/**
 * The action named by the path: its service must be running. Its outcome is kept (`outcomes`) so a
 * reloaded page shows each action's last result.
 */
async function runAction(
  dev: DevEnvironment,
  req: IncomingMessage,
  match: RegExpExecArray,
  outcomes: LastActionOutcomes,
): Promise<unknown> {
  const [serviceName, id] = [decodeURIComponent(match[1] ?? ''), decodeURIComponent(match[2] ?? '')];
  const service = dev.service(serviceName);
  if (!service) {
    throw new UnknownLocalActionError(serviceName, id, []);
  }
  const input = await readJson(req);
  const known = service.wiring.actions?.some((a) => a.id === id);
  const run = () => runLocalAction(service.wiring, service.actionContext, id, input);
  return known ? outcomes.track(serviceName, id, run, (error) => errorBody(error).error) : run();
}

/**
 * The dashboard: one static page plus a small JSON API and a Server-Sent Events stream of
 * everything the dev environment does (invocations, bus events, queue deliveries, MQTT messages).
 */
export async function startDashboard(dev: DevEnvironment, port: number): Promise<DashboardServer> {
  const streams = new Set<ServerResponse>();
  const outcomes = new LastActionOutcomes();
  const routes: Record<string, (req: IncomingMessage, url: URL) => Promise<unknown>> = {
    'GET /api/config': async () => describeDevEnvironment(dev),
    'GET /api/activity': async () => dev.feed.recent(),
    'GET /api/actions/last-outcomes': async () => outcomes.all(),
  };

  /** The invoke form's calls: `POST /api/functions/<name>/invoke`, `GET /api/functions/<name>/sample-event`. */
  const functionRoute = (method: string | undefined, pathname: string) => {
    const [, encoded = '', what] = /^\/api\/functions\/([^/]+)\/(invoke|sample-event)$/.exec(pathname) ?? [];
    if (method !== (what === 'invoke' ? 'POST' : what === 'sample-event' ? 'GET' : undefined)) return undefined;
    return async (req: IncomingMessage) => {
      let name: string;
      try {
        name = decodeURIComponent(encoded);
      } catch {
        throw new BadDashboardRequestError(`"${encoded}" is not a URL-encoded function name`);
      }
      const target = findDevFunction(dev.services, name);
      if (!target) throw new BadDashboardRequestError(`no function "${name}" runs in this dev environment`, 404);
      if (what === 'invoke') {
        return invokeDevFunction(target.service, target.fn, await readJsonValue(req, MAX_PAYLOAD_BYTES));
      }
      const sample = sampleEventOf(target.service.dir, target.fn);
      if (!sample) throw new BadDashboardRequestError(`${name} has no sample event (events/<function>.json)`, 404);
      return JSON.parse(readFileSync(join(target.service.dir, sample), 'utf8'));
    };
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = `${req.method} ${url.pathname}`;
    const refusal = sameOriginRefusal(req, (server.address() as AddressInfo).port);
    if (refusal) {
      send(res, 403, { error: { name: 'CrossOriginRequestRefused', message: refusal } });
      return;
    }
    if (key === 'GET /api/stream') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      // Reconnect a second after the stream drops (a browser waits about three by default).
      res.write('retry: 1000\n: connected\n\n');
      for (const activity of dev.feed.recent()) res.write(`data: ${JSON.stringify(activity)}\n\n`);
      streams.add(res);
      const unsubscribe = dev.feed.subscribe((activity) => res.write(`data: ${JSON.stringify(activity)}\n\n`));
      req.on('close', () => {
        unsubscribe();
        streams.delete(res);
      });
      return;
    }
    const action = req.method === 'POST' ? ACTION_PATH.exec(url.pathname) : null;
    const handler = action
      ? (r: IncomingMessage) => runAction(dev, r, action, outcomes)
      : (routes[key] ?? functionRoute(req.method, url.pathname));
    if (handler) {
      handler(req, url).then(
        (body) => send(res, 200, body ?? null),
        (error) => {
          const status = clientErrorStatus(error);
          if (status) {
            // Stop reading an oversized body; the answer still reaches the client.
            res.setHeader('connection', 'close');
            send(res, status, errorBody(error));
            return;
          }
          reportFailure(key, error);
          send(res, 500, errorBody(error));
        },
      );
      return;
    }
    const file = req.method === 'GET' ? staticFile(url.pathname) : undefined;
    if (file) {
      try {
        res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' });
        res.end(readFileSync(file[0]));
      } catch (error) {
        reportFailure(key, error);
        send(res, 500, errorBody(error));
      }
      return;
    }
    send(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const { flag, env, what } = DEV_PORT_FLAGS.dashboard;
      reject(error.code === 'EADDRINUSE' ? new DevPortInUseError(port, what, flag, env) : error);
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: async () => {
      for (const res of streams) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
