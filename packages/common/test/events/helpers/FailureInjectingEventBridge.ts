import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** A PutEvents entry as it went over the wire, with its envelope parsed. */
export interface WireEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Resources?: string[];
  sequenceNr: number;
  idempotencyKey: string;
}

/** What the fake service does with one entry of a call. */
export type EntryOutcome = 'ok' | { errorCode: string; errorMessage?: string };
/** What the fake service does with one call: fail it whole, or decide per entry. */
export type CallOutcome =
  | { status: number; errorType: string; message?: string }
  | ((entry: WireEntry) => EntryOutcome);
/** Decides the outcome of call number `call` (1-based). */
export type FailurePlan = (call: number, entries: WireEntry[]) => CallOutcome;

interface HttpRequestLike {
  headers: Record<string, string>;
  body?: unknown;
}

function response(status: number, body: unknown) {
  return {
    response: {
      statusCode: status,
      reason: status === 200 ? 'OK' : 'Error',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
      body: Readable.from([Buffer.from(JSON.stringify(body))]),
    },
  };
}

/**
 * A real `EventBridgeClient` whose HTTP transport is replaced by a scripted EventBridge: the SDK serializes
 * every PutEvents request and deserializes every answer (including error responses) exactly as against AWS,
 * and the plan decides which calls or entries fail. Records every call and every accepted entry.
 */
export class FailureInjectingEventBridge {
  readonly calls: WireEntry[][] = [];
  readonly accepted: Array<{ eventId: string; entry: WireEntry }> = [];
  readonly client: EventBridgeClient;

  constructor(private readonly plan: FailurePlan = () => () => 'ok') {
    this.client = new EventBridgeClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // The publisher owns retries; SDK-level retries would hide calls from the assertions.
      maxAttempts: 1,
      requestHandler: { handle: (request: HttpRequestLike) => this.handle(request) },
    });
  }

  private async handle(request: HttpRequestLike) {
    const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'];
    if (target !== 'AWSEvents.PutEvents') return response(400, { __type: 'UnknownOperationException' });
    const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body as Uint8Array);
    const body = JSON.parse(text) as { Entries: Omit<WireEntry, 'sequenceNr' | 'idempotencyKey'>[] };
    const entries = body.Entries.map((e) => {
      const detail = JSON.parse(e.Detail) as { sequenceNr: number; idempotencyKey: string };
      return { ...e, sequenceNr: detail.sequenceNr, idempotencyKey: detail.idempotencyKey };
    });
    this.calls.push(entries);
    const outcome = this.plan(this.calls.length, entries);
    if (typeof outcome !== 'function') {
      return response(outcome.status, { __type: outcome.errorType, message: outcome.message ?? outcome.errorType });
    }
    let failed = 0;
    const results = entries.map((entry) => {
      const result = outcome(entry);
      if (result === 'ok') {
        const eventId = randomUUID();
        this.accepted.push({ eventId, entry });
        return { EventId: eventId };
      }
      failed++;
      return { ErrorCode: result.errorCode, ErrorMessage: result.errorMessage ?? result.errorCode };
    });
    return response(200, { FailedEntryCount: failed, Entries: results });
  }
}
