import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type FaultyAnswer, FaultyHttpServer, type FaultyRequest, type HttpFault } from '@blueprints/fault-injection';
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
 * A PutEvents speaker (EventBridge JSON 1.1) on a {@link FaultyHttpServer}, that fails the way networks and
 * services fail: it stalls, is slow, throttles, drops the response after reading the request, fails some
 * entries, or leaves results out. A real `EventBridgeClient` (made with `awsClientConfig`) talks to it over
 * TCP, so timeouts, aborts and connection resets are the SDK's real ones. Records every call and every entry
 * it accepted.
 */
export class LoopbackEventBridge {
  readonly calls: ReceivedEntry[][] = [];
  readonly accepted: Array<{ eventId: string; entry: ReceivedEntry }> = [];

  private constructor(
    private readonly server: FaultyHttpServer,
    private readonly plan: FaultPlan,
  ) {}

  static async start(plan: FaultPlan = () => ok): Promise<LoopbackEventBridge> {
    const server = await FaultyHttpServer.start();
    const bridge = new LoopbackEventBridge(server, plan);
    server.plan = (_call, request) => bridge.decide(request);
    return bridge;
  }

  get endpoint(): string {
    return this.server.endpoint;
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

  close(): Promise<void> {
    return this.server.close();
  }

  private decide(request: FaultyRequest): HttpFault {
    const sent = (request.body as { Entries?: ReceivedEntry[] }).Entries ?? [];
    const entries = sent.map((e) => ({ ...e, ...envelopeKeysOf(e.Detail) }));
    this.calls.push(entries);
    const call = this.calls.length;
    const fault = this.plan(call, entries);
    switch (fault.kind) {
      case 'stall':
      case 'drop':
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
            return answer(200, this.results(entries, call, fault.entry));
          },
        };
    }
  }

  private results(
    entries: ReceivedEntry[],
    call: number,
    decide: ((entry: ReceivedEntry, call: number) => EntryFault) | undefined,
  ): { FailedEntryCount: number; Entries: Array<Record<string, string>> } {
    let failed = 0;
    const results: Array<Record<string, string>> = [];
    for (const entry of entries) {
      const outcome = decide?.(entry, call) ?? 'ok';
      if (outcome === 'omit') continue;
      if (outcome === 'blank') {
        results.push({});
      } else if (outcome === 'ok') {
        const eventId = randomUUID();
        this.accepted.push({ eventId, entry });
        results.push({ EventId: eventId });
      } else {
        failed++;
        results.push({ ErrorCode: outcome.errorCode, ErrorMessage: outcome.errorMessage ?? outcome.errorCode });
      }
    }
    return { FailedEntryCount: failed, Entries: results };
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

function answer(status: number, body: unknown): FaultyAnswer {
  return { status, headers: { 'x-amzn-requestid': randomUUID() }, body };
}

const delay = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
