import { RecentlyPublished } from '../../src/delivery/RecentlyPublished.js';
import {
  type EnvelopeToPublish,
  enrichBatch,
  type PublishEnvelopes,
  type PublishOutcome,
} from '../../src/enrichment/enrichBatch.js';
import { UnidentifiableRecordError } from '../../src/errors.js';
import { SELECT_EVERYTHING } from '../../src/qldb/selectEvents.js';
import { aggregate, corruptMd5, encodeIon, pipeRecord, revisionRecordIon } from '../helpers/factories.js';

const CONFIG = { selection: SELECT_EVERYTHING, persist: false };

/**
 * Failure injection: a publisher that refuses the events `refuse` picks (as failed, or as unknown),
 * accepts the rest, and records every call.
 */
function scriptedPublisher(refuse: (e: EnvelopeToPublish) => 'failed' | 'unknown' | undefined = () => undefined) {
  const calls: EnvelopeToPublish[][] = [];
  const publish: PublishEnvelopes = async (events) => {
    calls.push(events);
    const outcome: PublishOutcome = { published: [], failed: [], unknown: [] };
    for (const event of events) {
      const verdict = refuse(event);
      const key = event.envelope.idempotencyKey;
      if (verdict) outcome[verdict].push({ idempotencyKey: key, errorCode: 'ThrottlingException', errorMessage: 'x' });
      else outcome.published.push(key);
    }
    return outcome;
  };
  return { publish, calls };
}

const revision = (documentId: string, version = 0) => encodeIon(revisionRecordIon({ documentId, version }));
const newMemory = () => new RecentlyPublished({ ttlMs: 60_000, maxKeys: 1_000 });

describe('Function: enrichBatch()', () => {
  it('publishes every event in one go and reports no record to retry', async () => {
    // Prepare
    const records = [pipeRecord(aggregate([revision('a'), revision('b')])), pipeRecord(revision('c'))];
    const { publish, calls } = scriptedPublisher();

    // Act
    const result = await enrichBatch(records, CONFIG, { publish, memory: newMemory() });

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.map((e) => e.envelope.context.documentId)).toEqual(['a', 'b', 'c']);
    expect(result).toMatchObject({ events: 3, published: 3, alreadyPublished: 0, failed: [], unknown: [] });
  });

  it.each(['failed', 'unknown'] as const)('names only the records with an event %s, by eventID', async (verdict) => {
    // Prepare
    const ok = pipeRecord(revision('ok'));
    const stuck = pipeRecord(aggregate([revision('fine'), revision('stuck')]));
    const { publish } = scriptedPublisher((e) => (e.envelope.context.documentId === 'stuck' ? verdict : undefined));

    // Act
    const result = await enrichBatch([ok, stuck], CONFIG, { publish, memory: newMemory() });

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: stuck.eventID }]);
    expect(result[verdict].map((f) => f.idempotencyKey)).toEqual([expect.stringContaining('/stuck/0')]);
    expect(result.published).toBe(2);
  });

  it('does not publish again what the same container published for a record that is retried', async () => {
    // Prepare
    const stuck = pipeRecord(aggregate([revision('fine-1'), revision('stuck'), revision('fine-2')]));
    let refuse = true;
    const { publish, calls } = scriptedPublisher((e) =>
      refuse && e.envelope.context.documentId === 'stuck' ? 'failed' : undefined,
    );
    const memory = newMemory();
    await enrichBatch([stuck], CONFIG, { publish, memory });
    refuse = false;

    // Act
    const retry = await enrichBatch([stuck], CONFIG, { publish, memory });

    // Assess
    expect(calls[1]?.map((e) => e.envelope.context.documentId)).toEqual(['stuck']);
    expect(retry).toMatchObject({ batchItemFailures: [], published: 1, alreadyPublished: 2 });
    expect(memory.keyCount).toBe(0);
  });

  it('publishes again an event whose outcome was unknown', async () => {
    // Prepare
    const record = pipeRecord(revision('maybe'));
    let verdict: 'unknown' | undefined = 'unknown';
    const { publish, calls } = scriptedPublisher(() => verdict);
    const memory = newMemory();
    await enrichBatch([record], CONFIG, { publish, memory });
    verdict = undefined;

    // Act
    const retry = await enrichBatch([record], CONFIG, { publish, memory });

    // Assess
    expect(calls).toHaveLength(2);
    expect(retry.published).toBe(1);
  });

  it('reports a malformed record for retry and still publishes the others', async () => {
    // Prepare
    const good = pipeRecord(revision('good'));
    const bad = pipeRecord(corruptMd5(aggregate([revision('lost')])));
    const { publish, calls } = scriptedPublisher();

    // Act
    const result = await enrichBatch([good, bad], CONFIG, { publish, memory: newMemory() });

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: bad.eventID }]);
    expect(result.malformed.map((e) => e.message)).toEqual([
      `Kinesis record ${bad.sequenceNumber}: KPL aggregated record fails its MD5 checksum`,
    ]);
    expect(calls[0]?.map((e) => e.envelope.context.documentId)).toEqual(['good']);
  });

  it('fails the whole batch when a record has no eventID to report it by', async () => {
    // Prepare
    const record = { ...pipeRecord(revision('a')), eventID: undefined };
    const { publish } = scriptedPublisher();

    // Act & Assess
    await expect(enrichBatch([record], CONFIG, { publish, memory: newMemory() })).rejects.toThrow(
      UnidentifiableRecordError,
    );
  });
});
