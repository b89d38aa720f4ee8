import { randomUUID } from 'node:crypto';
import { FaultyHttpServer, type FaultyRequest, type HttpFault } from '@blueprints/fault-injection';

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
 * A PutEvents speaker on a {@link FaultyHttpServer} that misbehaves on purpose: point
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
  const state = { accepted: [] as WireEntry[], calls: 0 };
  // `drop` forwards the raw request to the upstream bus, then cuts the connection.
  const server = await FaultyHttpServer.start({ target: options.upstream });
  const accept = acceptor(state.accepted, options.upstream);
  server.plan = (_call, request) => {
    state.calls++;
    const entries = ((request.body as { Entries?: WireEntry[] }).Entries ?? []).slice();
    if (fault.kind === 'drop') {
      state.accepted.push(...entries);
      return { kind: 'drop' };
    }
    return httpFaultFor(fault, entries, (accepted) => accept(accepted, request.headers));
  };
  return {
    endpoint: server.endpoint,
    get accepted() {
      return state.accepted;
    },
    get calls() {
      return state.calls;
    },
    setFault(next) {
      fault = next;
    },
    close: () => server.close(),
  };
}

type Accept = (entries: WireEntry[]) => Promise<Array<Record<string, string>>>;

/** Records accepted entries and, with an upstream bus, puts them there; answers their PutEvents results. */
function acceptor(accepted: WireEntry[], upstream: string | undefined) {
  return async (entries: WireEntry[], headers: FaultyRequest['headers']): Promise<Array<Record<string, string>>> => {
    accepted.push(...entries);
    if (!upstream || entries.length === 0) return entries.map(() => ({ EventId: randomUUID() }));
    const response = await fetch(upstream, {
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
}

function httpFaultFor(fault: EventBridgeFault, entries: WireEntry[], accept: Accept): HttpFault {
  const respond = (answer: () => Promise<unknown>): HttpFault => ({
    kind: 'respond',
    respond: async () => ({ status: 200, body: await answer() }),
  });
  switch (fault.kind) {
    case 'stall':
      return fault;
    case 'throttle':
      return { kind: 'fail', status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
    case 'drop':
      return fault;
    case 'slow':
      return respond(async () => {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        return { FailedEntryCount: 0, Entries: await accept(entries) };
      });
    case 'reject':
      return respond(async () => {
        const { rejects, errorCode = 'ThrottlingException' } = fault;
        const results = await accept(entries.filter((e) => !rejects(e)));
        let next = 0;
        const all = entries.map((e) =>
          rejects(e) ? { ErrorCode: errorCode, ErrorMessage: 'injected by the test' } : results[next++],
        );
        return { FailedEntryCount: all.filter((r) => r && 'ErrorCode' in r).length, Entries: all };
      });
    case 'omit-results':
      return respond(async () => ({ FailedEntryCount: 0, Entries: (await accept(entries)).slice(0, fault.keep) }));
    case 'ok':
      return respond(async () => ({ FailedEntryCount: 0, Entries: await accept(entries) }));
  }
}
