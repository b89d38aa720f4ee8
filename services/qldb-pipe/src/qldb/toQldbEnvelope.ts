import { createHash } from 'node:crypto';
import { type Envelope, MAX_IDEMPOTENCY_KEY_LENGTH } from '@blueprints/common';
import type { JsonValue } from '../ion/ionToJson.js';
import type { QldbEvent } from './toQldbEvent.js';

/** `arn:<partition>:qldb:<region>:<account>:stream/<ledger>/<streamId>` */
const QLDB_STREAM_ARN = /^arn:[^:]+:qldb:([^:]*):([^:]*):stream\/([^/]+)\/([^/]+)$/;

/** Namespace of the name-based (version 5) correlation ids: fixed, so ids are the same on every replay. */
const CORRELATION_NAMESPACE = Buffer.from('6f1d2c0e5b8a4e8f9c3d7a1b2e4f6a80', 'hex');

/**
 * Where a QLDB record comes from, for its idempotency key: `<region>:<account>:<ledger>` for the
 * ledger's own facts (revisions, blocks: the same whichever journal stream carries them), plus
 * `:<streamId>` for the stream's own CONTROL records. A stream ARN that is not QLDB's (another
 * producer writing the same records) is used whole.
 */
function origin(qldbStreamArn: string): { ledger: string; stream: string } {
  const match = QLDB_STREAM_ARN.exec(qldbStreamArn);
  if (!match) return { ledger: qldbStreamArn, stream: qldbStreamArn };
  const [, region, account, ledger, streamId] = match;
  return { ledger: `${region}:${account}:${ledger}`, stream: `${region}:${account}:${ledger}:${streamId}` };
}

function objectField(value: JsonValue | undefined, name: string): JsonValue | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, name)
    ? value[name]
    : undefined;
}

/**
 * The key consumers deduplicate a QLDB event on, the same however often the record is delivered
 * (Pipes retries, QLDB's own at-least-once stream, a replay of the stream):
 * - REVISION_DETAILS: `qldb/<ledger>/REVISION_DETAILS/<table>/<documentId>/<version>`: one key per
 *   ledger revision;
 * - BLOCK_SUMMARY: `qldb/<ledger>/BLOCK_SUMMARY/<strandId>/<sequenceNo>`;
 * - CONTROL: `qldb/<ledger>:<streamId>/CONTROL/<controlRecordType>` (once per journal stream).
 * `%` and `/` inside a part are percent-encoded, so no part can imitate the separator. A key longer than the envelope
 * allows (only possible with a foreign producer's long names) becomes `qldb/sha256/<hex of it>`.
 *
 * @example
 * qldbIdempotencyKey(event); // 'qldb/us-east-1:123456789012:vehicle-registration/REVISION_DETAILS/Person/IiPT4brpZCqCq3f4MTHbYy/2'
 */
export function qldbIdempotencyKey(event: QldbEvent): string {
  const { ledger, stream } = origin(event.qldbStreamArn);
  let parts: Array<string | number | undefined>;
  switch (event.recordType) {
    case 'REVISION_DETAILS':
      parts = [ledger, event.recordType, event.tableName ?? event.tableId ?? '', event.documentId, event.version];
      break;
    case 'BLOCK_SUMMARY': {
      const address = objectField(event.payload, 'blockAddress');
      parts = [
        ledger,
        event.recordType,
        String(objectField(address, 'strandId')),
        String(objectField(address, 'sequenceNo')),
      ];
      break;
    }
    case 'CONTROL':
      parts = [stream, event.recordType, String(objectField(event.payload, 'controlRecordType') ?? '')];
      break;
  }
  const key = `qldb/${parts.map((p) => escapePart(String(p ?? ''))).join('/')}`;
  if (key.length <= MAX_IDEMPOTENCY_KEY_LENGTH) return key;
  return `qldb/sha256/${createHash('sha256').update(key).digest('hex')}`;
}

function escapePart(part: string): string {
  return part.replaceAll('%', '%25').replaceAll('/', '%2F');
}

/** A name-based UUID (RFC 9562 version 5): the same name always gives the same id. */
export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(CORRELATION_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function epochMillis(value: JsonValue | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const millis = Date.parse(value);
  return Number.isSafeInteger(millis) && millis >= 0 ? millis : undefined;
}

/**
 * Wraps a QLDB event in the shared {@link Envelope}, with nothing that changes between deliveries:
 * - `idempotencyKey`: {@link qldbIdempotencyKey};
 * - `correlationId`: one name-based UUID per Kinesis record (stream ARN + sequence number), shared
 *   by every QLDB record aggregated in it; `sequenceNr`: the user record's position in it, from 1;
 * - `createdAt`: the transaction time (revisions), the block time (block summaries), else the
 *   time Kinesis received the record;
 * - `context`: the event itself.
 *
 * @example
 * toQldbEnvelope(event, { persist: false });
 */
export function toQldbEnvelope(
  event: QldbEvent,
  options: { persist: boolean; now?: () => number },
): Envelope<QldbEvent> {
  const createdAt =
    epochMillis(event.txTime) ??
    epochMillis(objectField(event.payload, 'blockTimestamp')) ??
    event.kinesis.approximateArrivalTime ??
    (options.now ?? Date.now)();
  return {
    createdAt,
    correlationId: nameBasedUuid(`${event.qldbStreamArn}\n${event.kinesis.sequenceNumber}`),
    sequenceNr: (event.kinesis.subSequenceNumber ?? 0) + 1,
    idempotencyKey: qldbIdempotencyKey(event),
    persist: options.persist,
    context: event,
  };
}
