import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A JSON-protocol request (EventBridge, DynamoDB) as the proxy received it. */
export interface ProxiedRequest {
  /** `x-amz-target`, e.g. `AWSEvents.PutEvents`, `DynamoDB_20120810.PutItem`. */
  operation: string;
  body: Record<string, unknown>;
}

/** What the proxy does with one request. */
export type Fault =
  /** Forwards it to the real stand-in and returns its answer. */
  | { kind: 'pass' }
  /** Accepts the connection, reads the request, never answers. */
  | { kind: 'stall' }
  /** Forwards it and returns the answer `delayMs` late. */
  | { kind: 'slow'; delayMs: number }
  /** Answers with an AWS JSON error; the stand-in never sees the request. */
  | { kind: 'error'; status: number; type: string; message?: string }
  /** Forwards it (the stand-in processes it), then closes the connection without a byte of the answer. */
  | { kind: 'drop' }
  /** Forwards `request(body)` instead of the body and answers `response(answer, body)` instead of the answer. */
  | {
      kind: 'rewrite';
      request: (body: Record<string, unknown>) => Record<string, unknown>;
      response: (answer: Record<string, unknown>, body: Record<string, unknown>) => Record<string, unknown>;
    };

/** Decides request number `call` (1-based). */
export type FaultPlan = (call: number, request: ProxiedRequest) => Fault;

// Recomputed or made wrong by a rewrite: lengths, chunking, DynamoDB's body checksum.
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'x-amz-crc32', 'connection']);

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) in front of a real local stand-in (the local EventBridge,
 * dynalite), failing the way networks and services fail: it stalls, is slow, throttles or errs, drops the
 * answer after the stand-in processed the request, or rewrites a request and its answer (partial failures,
 * results left out). Handlers talk to it through their real SDK clients (`AWS_ENDPOINT_URL_<SERVICE>`), so
 * timeouts, aborts and resets are the SDK's own, and what the stand-in holds afterwards is the truth the
 * handler's answer is checked against. Change `plan` between tests; `calls` counts requests.
 */
export class FaultyProxy {
  plan: FaultPlan = () => ({ kind: 'pass' });
  calls = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  static async start(target: string): Promise<FaultyProxy> {
    const server = createServer();
    const proxy = new FaultyProxy(server, new URL(target));
    server.on('request', (req, res) => {
      proxy.handle(req, res).catch(() => res.destroy());
    });
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] ?? '');
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    this.calls += 1;
    const fault = this.plan(this.calls, { operation, body });
    switch (fault.kind) {
      case 'stall':
        return; // the socket stays open until the client gives up or the proxy closes
      case 'error': {
        const payload = JSON.stringify({ __type: fault.type, message: fault.message ?? fault.type });
        res.writeHead(fault.status, {
          'content-type': String(req.headers['content-type'] ?? 'application/x-amz-json-1.1'),
          'x-amzn-errortype': fault.type,
          'x-amzn-requestid': `faulty-${this.calls}`,
        });
        res.end(payload);
        return;
      }
      case 'drop':
        await this.forward(req, raw);
        req.socket.destroy();
        return;
      case 'slow': {
        const answer = await this.forward(req, raw);
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        return reply(res, answer);
      }
      case 'rewrite': {
        const answer = await this.forward(req, Buffer.from(JSON.stringify(fault.request(body))));
        const rewritten = Buffer.from(JSON.stringify(fault.response(JSON.parse(answer.body.toString('utf8')), body)));
        return reply(res, { ...answer, body: rewritten });
      }
      case 'pass':
        return reply(res, await this.forward(req, raw));
    }
  }

  /** Sends the request to the stand-in (signatures are not checked there, so a rewritten body passes). */
  private forward(req: IncomingMessage, body: Buffer): Promise<Answer> {
    const headers = { ...req.headers, host: this.target.host, 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      const out = request(
        { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers },
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

function reply(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  res.end(answer.body);
}
