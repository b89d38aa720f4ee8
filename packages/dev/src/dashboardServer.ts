import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
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
import type { DevEnvironment, DevService } from './devEnvironment.js';
import { DEV_PORT_FLAGS, DevPortInUseError } from './ports.js';
import { sameOriginRefusal } from './sameOriginGuard.js';

const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dashboard');
const STATIC: Record<string, [file: () => string, type: string]> = {
  '/': [() => join(DASHBOARD_DIR, 'index.html'), 'text/html; charset=utf-8'],
  '/dashboard.js': [() => join(DASHBOARD_DIR, 'dashboard.js'), 'text/javascript; charset=utf-8'],
  '/dashboard.css': [() => join(DASHBOARD_DIR, 'dashboard.css'), 'text/css; charset=utf-8'],
  // The browser MQTT client the page connects to the IoT gateway with.
  '/vendor/mqtt.min.js': [
    () => join(dirname(createRequire(import.meta.url).resolve('mqtt/package.json')), 'dist', 'mqtt.min.js'),
    'text/javascript; charset=utf-8',
  ],
};

/** What the page needs to know: services, functions, endpoints. */
export function describeDevEnvironment(dev: DevEnvironment) {
  return {
    dataDir: dev.dataDir,
    region: dev.region,
    startupMs: dev.startupMs,
    services: dev.services.map((s) => ({
      name: s.name,
      functions: s.functions.map((f) => ({ name: f.name, logicalId: f.logicalId, handler: f.handler })),
      http: s.http
        ? {
            url: s.http.url,
            routes: s.http.routes.map((r) => ({ routeKey: r.routeKey, url: `${s.http?.url}${r.path}` })),
          }
        : undefined,
      buses: s.buses,
      pipes: s.pipes?.pipes.map((p) => ({ name: p.name, stream: p.streamName, target: p.target })),
      actions: describeLocalActions(s.wiring),
      browserMqtt: browserMqttOf(s),
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

/** Where a page connects to a service's MQTT topics: its declared presigning route, as a URL. */
function browserMqttOf(s: DevService): { presignUrl: string; topics: string[] } | undefined {
  const declared = s.wiring.browserMqtt;
  const route = declared && s.http?.routes.find((r) => r.routeKey === declared.presignRoute);
  return declared && route ? { presignUrl: `${s.http?.url}${route.path}`, topics: declared.topics } : undefined;
}

/** A request the dashboard API cannot read: answered with 400 (or 413), not as a server failure. */
export class BadDashboardRequestError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
    this.name = 'BadDashboardRequestError';
  }
}

/** The page sends a few hundred bytes; anything near this is not the page. */
const MAX_BODY_BYTES = 64 * 1024;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BadDashboardRequestError(`body larger than ${MAX_BODY_BYTES} bytes`, 413);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    const body: unknown = text ? JSON.parse(text) : {};
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    return body as Record<string, unknown>;
  } catch {
    throw new BadDashboardRequestError('body must be a JSON object');
  }
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

/** The action named by the path: its service must be running. */
async function runAction(dev: DevEnvironment, req: IncomingMessage, match: RegExpExecArray): Promise<unknown> {
  const [serviceName, id] = [decodeURIComponent(match[1] ?? ''), decodeURIComponent(match[2] ?? '')];
  const service = dev.service(serviceName);
  if (!service) {
    throw new UnknownLocalActionError(serviceName, id, []);
  }
  return runLocalAction(service.wiring, service.actionContext, id, await readJson(req));
}

/**
 * The dashboard: one static page plus a small JSON API and a Server-Sent Events stream of
 * everything the dev environment does (invocations, bus events, queue deliveries, MQTT messages).
 */
export async function startDashboard(dev: DevEnvironment, port: number): Promise<DashboardServer> {
  const streams = new Set<ServerResponse>();
  const routes: Record<string, (req: IncomingMessage, url: URL) => Promise<unknown>> = {
    'GET /api/config': async () => describeDevEnvironment(dev),
    'GET /api/activity': async () => dev.feed.recent(),
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
      res.write(': connected\n\n');
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
    const handler = action ? (r: IncomingMessage) => runAction(dev, r, action) : routes[key];
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
    const file = req.method === 'GET' ? STATIC[url.pathname] : undefined;
    if (file) {
      try {
        res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' });
        res.end(readFileSync(file[0]()));
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
