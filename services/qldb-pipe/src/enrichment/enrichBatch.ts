import type { Envelope } from '@blueprints/common';
import type { RecentlyPublished } from '../delivery/RecentlyPublished.js';
import { MalformedRecordError, UnidentifiableRecordError } from '../errors.js';
import type { KinesisRecordData } from '../kinesis/deaggregateRecord.js';
import type { EventSelection } from '../qldb/selectEvents.js';
import { toQldbEnvelope } from '../qldb/toQldbEnvelope.js';
import type { QldbEvent } from '../qldb/toQldbEvent.js';
import { decodeQldbRecord } from './decodeQldbRecords.js';

/** The Kinesis record shape EventBridge Pipes hands its target (one array per batch). */
export interface PipeKinesisRecord extends KinesisRecordData {
  /** `shardId-…:sequenceNumber`: how a partial batch response names the record. */
  eventID?: string;
  eventSourceARN?: string;
}

/** One QLDB event on its way to the bus. */
export interface EnvelopeToPublish {
  detailType: string;
  envelope: Envelope<QldbEvent>;
}

/** An event that did not get an EventId from EventBridge. */
export interface UnpublishedEvent {
  idempotencyKey: string;
  errorCode: string;
  errorMessage: string;
}

/**
 * What became of each event handed to the publisher, by idempotency key: `published` (EventBridge
 * answered with an EventId), `failed` (refused, or never sent before the deadline), `unknown` (sent,
 * but the answer was lost: it may be on the bus).
 */
export interface PublishOutcome {
  published: string[];
  failed: UnpublishedEvent[];
  unknown: UnpublishedEvent[];
}

export type PublishEnvelopes = (events: EnvelopeToPublish[]) => Promise<PublishOutcome>;

export interface EnrichResult {
  /** The Pipes partial batch response: the Kinesis records to hand over again. */
  batchItemFailures: Array<{ itemIdentifier: string }>;
  /** Selected events decoded from the batch. */
  events: number;
  /** Events published by this invocation. */
  published: number;
  /** Events skipped because this container already published them for the same record. */
  alreadyPublished: number;
  failed: UnpublishedEvent[];
  unknown: UnpublishedEvent[];
  malformed: MalformedRecordError[];
}

/**
 * One pipe invocation: decode each Kinesis record (a malformed one is reported as failed, the others
 * go on), wrap every selected QLDB event in the shared envelope, skip what this container already
 * published for the same record, publish the rest in one go, and name in `batchItemFailures` every
 * record with an event not confirmed published (failed or unknown). Pipes hands only those records
 * over again, so what already went out is not published again by a retry.
 *
 * @example
 * const result = await enrichBatch(records, config, { publish, memory });
 * return { batchItemFailures: result.batchItemFailures };
 */
export async function enrichBatch(
  records: PipeKinesisRecord[],
  config: { selection: EventSelection; persist: boolean },
  deps: { publish: PublishEnvelopes; memory: RecentlyPublished },
): Promise<EnrichResult> {
  const failedRecords = new Set<string>();
  const malformed: MalformedRecordError[] = [];
  const plan: Array<{ id: string; todo: EnvelopeToPublish[] }> = [];
  let events = 0;
  let alreadyPublished = 0;
  for (const record of records) {
    const id = record.eventID;
    if (!id) throw new UnidentifiableRecordError(record.sequenceNumber);
    let decoded: QldbEvent[];
    try {
      decoded = decodeQldbRecord(record, config.selection);
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      malformed.push(error);
      failedRecords.add(id);
      continue;
    }
    events += decoded.length;
    const envelopes = decoded.map((event) => ({
      detailType: event.recordType,
      envelope: toQldbEnvelope(event, { persist: config.persist }),
    }));
    const todo = envelopes.filter((e) => !deps.memory.has(id, e.envelope.idempotencyKey));
    alreadyPublished += envelopes.length - todo.length;
    plan.push({ id, todo });
  }

  const toSend = plan.flatMap((p) => p.todo);
  const outcome: PublishOutcome =
    toSend.length === 0 ? { published: [], failed: [], unknown: [] } : await deps.publish(toSend);
  const accepted = new Set(outcome.published);
  for (const { id, todo } of plan) {
    const done = todo.filter((e) => accepted.has(e.envelope.idempotencyKey));
    if (done.length === todo.length) {
      deps.memory.forget(id);
      continue;
    }
    failedRecords.add(id);
    deps.memory.remember(
      id,
      done.map((e) => e.envelope.idempotencyKey),
    );
  }
  return {
    batchItemFailures: records
      .map((r) => r.eventID as string)
      .filter((id) => failedRecords.has(id))
      .map((itemIdentifier) => ({ itemIdentifier })),
    events,
    published: toSend.filter((e) => accepted.has(e.envelope.idempotencyKey)).length,
    alreadyPublished,
    failed: outcome.failed,
    unknown: outcome.unknown,
    malformed,
  };
}
