import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One PutEvents entry as it travels over the wire (JSON 1.1). */
export interface WireEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number;
}

/**
 * What the loopback EventBridge endpoint does with each PutEvents call:
 * - `stall`: accepts the connection and the request, never answers;
 * - `slow`: waits `delayMs`, then answers like `ok`;
 * - `throttle`: answers every call with HTTP 400 `ThrottlingException` (nothing accepted);
 * - `drop`: accepts the entries (they count as delivered), then destroys the socket without answering;
 * - `reject`: accepts the entries `rejects` does not match, answers the others with `errorCode`;
 * - `omit-results`: accepts every entry, then answers with the `Entries` array cut to `keep` results;
 * - `ok`: accepts everything.
 */
export type EventBridgeFault =
  | { kind: 'ok' }
  | { kind: 'stall' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'throttle' }
  | { kind: 'drop' }
  | { kind: 'reject'; rejects: (entry: WireEntry) => boolean; errorCode?: string }
  | { kind: 'omit-results'; keep: number };

export interface FaultyEventBridge {
  endpoint: string;
  /** Entries the endpoint accepted (forwarded upstream when there is one), in arrival order. */
  accepted: WireEntry[];
  /** PutEvents calls received. */
  calls: number;
  setFault(fault: EventBridgeFault): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) that speaks PutEvents and misbehaves on purpose: point
 * `AWS_ENDPOINT_URL_EVENTBRIDGE` at it. With `upstream` (a local bus endpoint) it forwards the
 * entries it accepts there, so the rest of a local stack sees exactly what "AWS" accepted.
 *
 * @example
 * const faulty = await startFaultyEventBridge({ kind: 'stall' });
 * process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = faulty.endpoint;
 */
export async function startFaultyEventBridge(
  initial: EventBridgeFault,
  options: { upstream?: string } = {},
): Promise<FaultyEventBridge> {
  let fault = initial;
  const sockets = new Set<Socket>();
  const state = { accepted: [] as WireEntry[], calls: 0 };

  const accept = async (entries: WireEntry[], headers: IncomingMessage['headers']) => {
    state.accepted.push(...entries);
    if (!options.upstream || entries.length === 0) return entries.map(() => ({ EventId: randomUUID() }));
    const response = await fetch(options.upstream, {
      method: 'POST',
      headers: {
        'content-type': String(headers['content-type'] ?? 'application/x-amz-json-1.1'),
        'x-amz-target': String(headers['x-amz-target'] ?? 'AWSEvents.PutEvents'),
      },
      body: JSON.stringify({ Entries: entries }),
    });
    const body = (await response.json()) as { Entries?: Array<Record<string, string>> };
    return body.Entries ?? [];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, text: string) => {
    state.calls++;
    const entries = ((JSON.parse(text || '{}') as { Entries?: WireEntry[] }).Entries ?? []).slice();
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    switch (fault.kind) {
      case 'stall':
        return;
      case 'throttle':
        return reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      case 'drop':
        await accept(entries, req.headers);
        req.socket.destroy();
        return;
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, fault.kind === 'slow' ? fault.delayMs : 0));
        break;
      case 'reject': {
        const { rejects, errorCode = 'ThrottlingException' } = fault;
        const passed = entries.filter((e) => !rejects(e));
        const results = await accept(passed, req.headers);
        let next = 0;
        const all = entries.map((e) =>
          rejects(e) ? { ErrorCode: errorCode, ErrorMessage: 'injected by the test' } : results[next++],
        );
        return reply(200, { FailedEntryCount: all.filter((r) => r && 'ErrorCode' in r).length, Entries: all });
      }
      case 'omit-results': {
        const results = await accept(entries, req.headers);
        return reply(200, { FailedEntryCount: 0, Entries: results.slice(0, fault.keep) });
      }
    }
    const results = await accept(entries, req.headers);
    return reply(200, { FailedEntryCount: 0, Entries: results });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'InternalException', message: String(error) }));
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get accepted() {
      return state.accepted;
    },
    get calls() {
      return state.calls;
    },
    setFault(next) {
      fault = next;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
