import { randomUUID } from 'node:crypto';
import { type FaultyAnswer, FaultyHttpServer, type FaultyRequest, type HttpFault } from './faultyHttpServer.js';

/** One PutEvents entry as it travels over the wire (EventBridge JSON 1.1). */
export interface PutEventsWireEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number;
}

/**
 * What the endpoint does with one entry of a call it answers: accept it, fail it with an error code, leave its
 * result out of the response (`omit`: the result list gets shorter) or answer `{}` for it (`blank`).
 */
export type PutEventsEntryOutcome = 'ok' | { errorCode: string; errorMessage?: string } | 'omit' | 'blank';

/** What the endpoint does with one PutEvents call. */
export type PutEventsFault<E = PutEventsWireEntry> =
  /** Answers 200 after `delayMs` (a slow service), deciding per entry with `entry` (default: accept every one). */
  | { kind: 'entries'; delayMs?: number; entry?: (entry: E, index: number, call: number) => PutEventsEntryOutcome }
  /** Accepts the connection and the request, never answers. */
  | { kind: 'stall' }
  /** Reads the request and takes its entries (forwarded upstream when there is one), then closes without an answer. */
  | { kind: 'drop' }
  /** Answers an error status with an AWS JSON error body (throttling: 400 `ThrottlingException`), after `delayMs`. */
  | { kind: 'error'; status: number; type: string; message?: string; delayMs?: number }
  /** Answers 200 with a body cut off mid-JSON. */
  | { kind: 'truncated' };

/** Decides call number `call` (1-based) from the entries it carries. */
export type PutEventsPlan<E = PutEventsWireEntry> = (call: number, entries: E[]) => PutEventsFault<E>;

export interface FaultyEventBridgeOptions<E> {
  /** How the call starts; change it later with `plan` or `inject`. Default: accept everything. */
  plan?: PutEventsPlan<E>;
  /** A real local bus (its endpoint): entries the endpoint takes are put there too, so a local stack sees them. */
  upstream?: string;
  /** What a test records of each entry (e.g. with fields read from its `Detail`); default: the wire entry. */
  record?: (entry: PutEventsWireEntry) => E;
}

/**
 * A PutEvents endpoint on a {@link FaultyHttpServer} that fails the way networks and EventBridge fail: it
 * stalls, is slow, throttles, drops the response after taking the entries, fails some entries, leaves results
 * out or answers a cut-off body. Point a real `EventBridgeClient` at `endpoint` (`AWS_ENDPOINT_URL_EVENTBRIDGE`),
 * so timeouts, aborts and resets are the SDK's own. Records every call and every entry it took; with `upstream`
 * it puts the entries it takes on a real local bus.
 *
 * @example
 * const bridge = await FaultyEventBridge.start({ upstream: bus.endpoint });
 * bridge.inject({ kind: 'entries', entry: (e) => (e.Detail?.includes('poison') ? { errorCode: 'InternalFailure' } : 'ok') });
 * process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bridge.endpoint;
 */
export class FaultyEventBridge<E extends PutEventsWireEntry = PutEventsWireEntry> {
  /** The entries of every call received, in order. */
  readonly calls: E[][] = [];
  /** Every entry the endpoint took (accepted, or read before a dropped response), with the event id it gave. */
  readonly accepted: Array<{ eventId: string; entry: E }> = [];
  plan: PutEventsPlan<E>;

  private constructor(
    private readonly server: FaultyHttpServer,
    private readonly options: FaultyEventBridgeOptions<E>,
  ) {
    this.plan = options.plan ?? (() => ({ kind: 'entries' }));
  }

  static async start<E extends PutEventsWireEntry = PutEventsWireEntry>(
    options: FaultyEventBridgeOptions<E> = {},
  ): Promise<FaultyEventBridge<E>> {
    // With an upstream bus, `drop` forwards the raw request there before cutting the connection.
    const server = await FaultyHttpServer.start({ target: options.upstream });
    const bridge = new FaultyEventBridge<E>(server, options);
    server.plan = (_call, request) => bridge.decide(request);
    return bridge;
  }

  get endpoint(): string {
    return this.server.endpoint;
  }

  /** The same fault on every call from now on. */
  inject(fault: PutEventsFault<E>): void {
    this.plan = () => fault;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private decide(request: FaultyRequest): HttpFault {
    const wire = (request.body as { Entries?: PutEventsWireEntry[] }).Entries ?? [];
    const record = this.options.record ?? ((entry: PutEventsWireEntry) => entry as E);
    const entries = wire.map((entry) => record({ ...entry }));
    this.calls.push(entries);
    const call = this.calls.length;
    const fault = this.plan(call, entries);
    switch (fault.kind) {
      case 'stall':
        return fault;
      case 'drop':
        for (const entry of entries) this.accepted.push({ eventId: randomUUID(), entry });
        return fault;
      case 'truncated':
        return {
          kind: 'respond',
          respond: () => ({ status: 200, body: '{"FailedEntryCount":0,"Entries":[{"EventId":"' }),
        };
      case 'error':
        return {
          kind: 'respond',
          respond: async () => {
            await delay(fault.delayMs ?? 0);
            return answer(fault.status, { __type: fault.type, message: fault.message ?? fault.type });
          },
        };
      case 'entries':
        return {
          kind: 'respond',
          respond: async () => {
            await delay(fault.delayMs ?? 0);
            const outcomes = entries.map((entry, index) => fault.entry?.(entry, index, call) ?? 'ok');
            return answer(200, await this.results(request, wire, entries, outcomes));
          },
        };
    }
  }

  /** The PutEvents response for the outcomes decided; accepted entries are recorded (and put upstream). */
  private async results(
    request: FaultyRequest,
    wire: PutEventsWireEntry[],
    entries: E[],
    outcomes: PutEventsEntryOutcome[],
  ): Promise<{ FailedEntryCount: number; Entries: Array<Record<string, string>> }> {
    const taken = outcomes.flatMap((outcome, i) => (outcome === 'ok' ? [i] : []));
    const eventIds = await this.putUpstream(
      request,
      taken.map((i) => wire[i] as PutEventsWireEntry),
    );
    taken.forEach((i, n) => {
      this.accepted.push({ eventId: eventIds[n] as string, entry: entries[i] as E });
    });
    let failed = 0;
    let next = 0;
    const results: Array<Record<string, string>> = [];
    for (const outcome of outcomes) {
      if (outcome === 'omit') continue;
      if (outcome === 'blank') results.push({});
      else if (outcome === 'ok') results.push({ EventId: eventIds[next++] as string });
      else {
        failed++;
        results.push({ ErrorCode: outcome.errorCode, ErrorMessage: outcome.errorMessage ?? outcome.errorCode });
      }
    }
    return { FailedEntryCount: failed, Entries: results };
  }

  /** Event ids for the entries taken: the upstream bus's own when there is one, fresh ones otherwise. */
  private async putUpstream(request: FaultyRequest, entries: PutEventsWireEntry[]): Promise<string[]> {
    const { upstream } = this.options;
    if (!upstream || entries.length === 0) return entries.map(() => randomUUID());
    const response = await fetch(upstream, {
      method: 'POST',
      headers: {
        'content-type': String(request.headers['content-type'] ?? 'application/x-amz-json-1.1'),
        'x-amz-target': String(request.headers['x-amz-target'] ?? 'AWSEvents.PutEvents'),
      },
      body: JSON.stringify({ Entries: entries }),
    });
    const body = (await response.json()) as { Entries?: Array<{ EventId?: string }> };
    return entries.map((_, i) => body.Entries?.[i]?.EventId ?? randomUUID());
  }
}

function answer(status: number, body: unknown): FaultyAnswer {
  return { status, headers: { 'x-amzn-requestid': randomUUID() }, body };
}

const delay = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
