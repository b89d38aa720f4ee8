import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the server received it. */
export interface FaultyRequest {
  /** `x-amz-target` of AWS JSON protocols (e.g. `AWSEvents.PutEvents`), or `''`. */
  operation: string;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The body parsed as JSON, or `{}` when it is empty or not JSON. */
  body: Record<string, unknown>;
  raw: Buffer;
}

/** An answer a custom responder (`respond`) or a rewrite sends. */
export interface FaultyAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Sent as is when a string, as JSON otherwise. */
  body: unknown;
}

/** What the server does with one request. */
export type HttpFault =
  /** Forwards it to the target and returns the target's answer. */
  | { kind: 'pass'; target?: string }
  /** Accepts the connection, reads the request, never answers. */
  | { kind: 'stall' }
  /** Forwards it (when there is a target) and answers `delayMs` late. */
  | { kind: 'slow'; delayMs: number; target?: string }
  /** Answers an AWS JSON error (throttling: status 400 or 429 with `ThrottlingException`); the target never sees it. */
  | { kind: 'fail'; status: number; type: string; message?: string }
  /** Reads the request, forwards it when there is a target (it is processed), then closes without a byte of answer. */
  | { kind: 'drop' }
  /** Forwards `request(body)` instead of the body and answers `response(answer, body)` instead of the answer. */
  | {
      kind: 'rewrite';
      request: (body: Record<string, unknown>) => Record<string, unknown>;
      response: (answer: Record<string, unknown>, body: Record<string, unknown>) => Record<string, unknown>;
    }
  /** Answers what `respond` returns (a protocol the test speaks itself); `undefined` answers nothing. */
  | {
      kind: 'respond';
      respond: (request: FaultyRequest) => Promise<FaultyAnswer | undefined> | FaultyAnswer | undefined;
    };

/** Decides request number `call` (1-based). */
export type HttpFaultPlan = (call: number, request: FaultyRequest) => HttpFault;

// Recomputed or made wrong by a rewrite: lengths, chunking, DynamoDB's body checksum.
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'x-amz-crc32', 'connection']);

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

class NoTargetError extends Error {
  constructor(kind: string) {
    super(`a "${kind}" fault forwards the request: start the server with a target or give the fault one`);
    this.name = 'NoTargetError';
  }
}

/**
 * A real HTTP server on 127.0.0.1 (port 0), optionally in front of a real local stand-in, failing the way
 * networks and services fail: it stalls, is slow, fails or throttles, drops the answer after reading (and
 * forwarding) the request, rewrites a request and its answer, or answers through a custom responder. Point a
 * real SDK client at `endpoint` (`AWS_ENDPOINT_URL_<SERVICE>`), so timeouts, aborts and resets are the SDK's
 * own. Change the plan between tests (`plan`, or `inject` for one fault on every request); `calls` counts requests.
 *
 * @example
 * const proxy = await FaultyHttpServer.start({ target: dynamo.endpoint });
 * proxy.plan = (call) => (call === 1 ? { kind: 'fail', status: 400, type: 'ThrottlingException' } : { kind: 'pass' });
 */
export class FaultyHttpServer {
  plan: HttpFaultPlan = () => ({ kind: 'pass' });
  calls = 0;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    private readonly target: string | undefined,
  ) {}

  static async start(options: { target?: string; plan?: HttpFaultPlan } = {}): Promise<FaultyHttpServer> {
    const server = createServer();
    const faulty = new FaultyHttpServer(server, options.target);
    if (options.plan) faulty.plan = options.plan;
    server.on('request', (req, res) => {
      faulty.handle(req, res).catch(() => res.destroy());
    });
    server.on('connection', (socket) => {
      faulty.sockets.add(socket);
      socket.on('close', () => faulty.sockets.delete(socket));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return faulty;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Applies `fault` to every following request. */
  inject(fault: HttpFault): void {
    this.plan = () => fault;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const received = receivedRequest(req, Buffer.concat(chunks));
    this.calls += 1;
    const fault = this.plan(this.calls, received);
    switch (fault.kind) {
      case 'stall':
        return; // the socket stays open until the client gives up or the server closes
      case 'fail':
        return reply(res, {
          status: fault.status,
          headers: {
            'content-type': awsJsonContentType(req),
            'x-amzn-errortype': fault.type,
            'x-amzn-requestid': `faulty-${this.calls}`,
          },
          body: Buffer.from(JSON.stringify({ __type: fault.type, message: fault.message ?? fault.type })),
        });
      case 'drop':
        if (this.target) await this.forward(this.target, received, received.raw);
        req.socket.destroy();
        return;
      case 'slow': {
        const target = fault.target ?? this.target;
        const answer = target ? await this.forward(target, received, received.raw) : emptyAnswer();
        await this.delay(fault.delayMs);
        return reply(res, answer);
      }
      case 'rewrite': {
        const answer = await this.forward(
          this.requireTarget('rewrite'),
          received,
          jsonBytes(fault.request(received.body)),
        );
        const rewritten = fault.response(JSON.parse(answer.body.toString('utf8')), received.body);
        return reply(res, { ...answer, body: jsonBytes(rewritten) });
      }
      case 'respond':
        return respondWith(res, await fault.respond(received));
      case 'pass':
        return reply(res, await this.forward(fault.target ?? this.requireTarget('pass'), received, received.raw));
    }
  }

  private requireTarget(kind: string): string {
    if (!this.target) throw new NoTargetError(kind);
    return this.target;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Sends the request to the target (local stand-ins do not check signatures, so a rewritten body passes). */
  private forward(target: string, received: FaultyRequest, body: Buffer): Promise<Answer> {
    const url = new URL(target);
    const headers = { ...received.headers, host: url.host, 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      const out = request(
        { host: url.hostname, port: url.port, method: received.method, path: received.path, headers },
        async (answer) => {
          const chunks: Buffer[] = [];
          for await (const chunk of answer) chunks.push(chunk as Buffer);
          const responseHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (typeof value === 'string' && !DROPPED_HEADERS.has(name)) responseHeaders[name] = value;
          }
          resolve({ status: answer.statusCode ?? 500, headers: responseHeaders, body: Buffer.concat(chunks) });
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }
}

function receivedRequest(req: IncomingMessage, raw: Buffer): FaultyRequest {
  let body: Record<string, unknown> = {};
  try {
    if (raw.length > 0) body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    // Not JSON (an IoT payload, a form): `raw` has it.
  }
  const operation = String(req.headers['x-amz-target'] ?? '');
  return { operation, method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, raw };
}

function respondWith(res: ServerResponse, answer: FaultyAnswer | undefined): void {
  if (!answer) return;
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  reply(res, {
    status: answer.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', ...answer.headers },
    body: Buffer.from(text),
  });
}

/** The request's AWS JSON version (DynamoDB speaks 1.0), else 1.1 (REST-JSON services read `x-amzn-errortype`). */
function awsJsonContentType(req: IncomingMessage): string {
  const sent = req.headers['content-type'] ?? '';
  return sent.startsWith('application/x-amz-json') ? sent : 'application/x-amz-json-1.1';
}

const jsonBytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const emptyAnswer = (): Answer => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{}'),
});

function reply(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  res.end(answer.body);
}
