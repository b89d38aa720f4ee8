import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * How a loopback endpoint misbehaves: `stall` accepts and never answers; `slow` forwards to `target`
 * after `delayMs`; `fail` answers `status` with an AWS JSON error `type`; `drop` reads the request
 * and closes the connection without a response.
 */
export type Fault =
  | { kind: 'stall' }
  | { kind: 'slow'; delayMs: number; target: string }
  | { kind: 'fail'; status: number; type: string }
  | { kind: 'drop' };

export interface FaultyEndpoint {
  url: string;
  /** The fault injected into the next requests (switch it between tests). */
  fault: Fault;
  /** Requests received so far (attempts, retries included). */
  requests: number;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) that injects one fault into every request, for
 * fault-injection tests of SDK clients (point `AWS_ENDPOINT_URL_<SERVICE>` at `url`).
 *
 * @example
 * const stalled = await startFaultyEndpoint({ kind: 'stall' });
 */
export async function startFaultyEndpoint(fault: Fault): Promise<FaultyEndpoint> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const endpoint = { url: '', fault, requests: 0, close: async () => undefined } as FaultyEndpoint;
  const server: Server = createServer((req, res) => {
    endpoint.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fault = endpoint.fault;
      switch (fault.kind) {
        case 'stall':
          return;
        case 'drop':
          req.socket.destroy();
          return;
        case 'fail': {
          const body = JSON.stringify({ __type: fault.type, message: `injected ${fault.type}` });
          res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': fault.type });
          res.end(body);
          return;
        }
        case 'slow': {
          const timer = setTimeout(() => {
            timers.delete(timer);
            const upstream = request(
              `${fault.target}${req.url ?? '/'}`,
              { method: req.method, headers: req.headers },
              (answer) => {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(res);
              },
            );
            upstream.on('error', () => res.destroy());
            upstream.end(Buffer.concat(chunks));
          }, fault.delayMs);
          timers.add(timer);
          return;
        }
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint.close = async () => {
    for (const timer of timers) clearTimeout(timer);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return endpoint;
}
