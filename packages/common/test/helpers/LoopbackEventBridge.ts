import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type AwsClientBudget, awsClientConfig } from '../../src/aws/awsClientConfig.js';

/** A PutEvents entry as it arrived, with its envelope's sequence number and key when it has them. */
export interface ReceivedEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName?: string;
  Resources?: string[];
  sequenceNr?: number;
  idempotencyKey?: string;
}

/**
 * What the server does with one entry of a call it answers: accept it, fail it, leave its result out of
 * the response (`omit`: the result list gets shorter) or answer `{}` for it (`blank`).
 */
export type EntryFault = 'ok' | { errorCode: string; errorMessage?: string } | 'omit' | 'blank';

/** What the server does with one PutEvents call. */
export type CallFault =
  /** Accepts the connection and the request, never answers. */
  | { kind: 'stall' }
  /** Reads the whole request, then destroys the socket without a byte of response. */
  | { kind: 'drop' }
  /** Answers with an error status and an AWS JSON error body. */
  | { kind: 'error'; status: number; type: string; message?: string; delayMs?: number }
  /** Answers 200 with a body that is cut off mid-JSON. */
  | { kind: 'truncated' }
  /** Answers 200 deciding per entry (after `delayMs`); `omit` leaves the entry's result out. */
  | { kind: 'entries'; delayMs?: number; entry?: (entry: ReceivedEntry, call: number) => EntryFault };

/** Decides call number `call` (1-based). */
export type FaultPlan = (call: number, entries: ReceivedEntry[]) => CallFault;

const ok: CallFault = { kind: 'entries' };

/**
 * A real HTTP server on 127.0.0.1 (port 0) speaking the EventBridge JSON 1.1 protocol, that fails the way
 * networks and services fail: it stalls, is slow, throttles, drops the response after reading the request,
 * fails some entries, or leaves results out. A real `EventBridgeClient` (made with `awsClientConfig`)
 * talks to it over TCP, so timeouts, aborts and connection resets are the SDK's real ones. Records every
 * call and every entry it accepted.
 */
export class LoopbackEventBridge {
  readonly calls: ReceivedEntry[][] = [];
  readonly accepted: Array<{ eventId: string; entry: ReceivedEntry }> = [];
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private port = 0;

  private constructor(private plan: FaultPlan) {}

  static async start(plan: FaultPlan = () => ok): Promise<LoopbackEventBridge> {
    const bridge = new LoopbackEventBridge(plan);
    const server = createServer((req, res) => void bridge.handle(req, res));
    server.on('connection', (socket) => {
      bridge.sockets.add(socket);
      socket.on('close', () => bridge.sockets.delete(socket));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    bridge.server = server;
    bridge.port = (server.address() as AddressInfo).port;
    return bridge;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A real client aimed at this server, with the timeouts of `awsClientConfig`. */
  client(budget: AwsClientBudget = { functionTimeoutMs: 10_000, maxAttempts: 1 }): EventBridgeClient {
    return new EventBridgeClient({
      ...awsClientConfig(budget),
      region: 'us-east-1',
      endpoint: this.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  /** Every call carried these entries, in order (sequence numbers). */
  get callSequenceNrs(): Array<Array<number | undefined>> {
    return this.calls.map((call) => call.map((e) => e.sequenceNr));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: ReceivedEntry[] };
    const entries = body.Entries.map((e) => ({ ...e, ...envelopeKeysOf(e.Detail) }));
    this.calls.push(entries);
    const call = this.calls.length;
    const fault = this.plan(call, entries);
    switch (fault.kind) {
      case 'stall':
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end('{"FailedEntryCount":0,"Entries":[{"EventId":"');
        return;
      case 'error':
        await delay(fault.delayMs ?? 0);
        return respond(res, fault.status, { __type: fault.type, message: fault.message ?? fault.type });
      case 'entries': {
        await delay(fault.delayMs ?? 0);
        let failed = 0;
        const results: Array<Record<string, string>> = [];
        for (const entry of entries) {
          const outcome = fault.entry?.(entry, call) ?? 'ok';
          if (outcome === 'omit') continue;
          if (outcome === 'blank') {
            results.push({});
            continue;
          }
          if (outcome === 'ok') {
            const eventId = randomUUID();
            this.accepted.push({ eventId, entry });
            results.push({ EventId: eventId });
          } else {
            failed++;
            results.push({ ErrorCode: outcome.errorCode, ErrorMessage: outcome.errorMessage ?? outcome.errorCode });
          }
        }
        return respond(res, 200, { FailedEntryCount: failed, Entries: results });
      }
    }
  }
}

/**
 * For a test file: returns `start(plan)`, which starts a {@link LoopbackEventBridge} that is closed after
 * the test. Call it at the top of the file (it registers an `afterEach`).
 */
export function useLoopbackEventBridges(): (plan?: FaultPlan) => Promise<LoopbackEventBridge> {
  const started: LoopbackEventBridge[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((b) => b.close()));
  });
  return async (plan) => {
    const bridge = await LoopbackEventBridge.start(plan);
    started.push(bridge);
    return bridge;
  };
}

function envelopeKeysOf(detail: string): { sequenceNr?: number; idempotencyKey?: string } {
  try {
    const { sequenceNr, idempotencyKey } = JSON.parse(detail) as { sequenceNr?: unknown; idempotencyKey?: unknown };
    return {
      ...(typeof sequenceNr === 'number' ? { sequenceNr } : {}),
      ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}),
    };
  } catch {
    return {};
  }
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

const delay = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
