import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { awsClientConfig, Deadline, eventEntrySize, PUT_EVENTS_MAX_ENTRY_BYTES } from '@blueprints/common';
import { FaultyEventBridge } from '@blueprints/fault-injection';
import { busPublisher, toPutEventsEntry } from '../../src/delivery/busPublisher.js';
import { decodeQldbRecord } from '../../src/enrichment/decodeQldbRecords.js';
import type { EnvelopeToPublish } from '../../src/enrichment/enrichBatch.js';
import { SELECT_EVERYTHING } from '../../src/qldb/selectEvents.js';
import { toQldbEnvelope } from '../../src/qldb/toQldbEnvelope.js';
import { encodeIon, pipeRecord, revisionRecordIon } from '../helpers/factories.js';

const ADDRESS = { eventBusName: 'qldb-pipe-dev', source: 'qldb' };

let faulty: FaultyEventBridge;
let client: EventBridgeClient;

beforeAll(async () => {
  faulty = await FaultyEventBridge.start();
  client = new EventBridgeClient({
    ...awsClientConfig({ functionTimeoutMs: 15_000, maxAttempts: 1 }),
    endpoint: faulty.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  client?.destroy();
  await faulty?.close();
});

/** A revision event whose PutEvents entry is exactly `bytes` long (document data padded). */
function eventOfSize(documentId: string, bytes: number): EnvelopeToPublish {
  const make = (pad: string): EnvelopeToPublish => {
    const [event] = decodeQldbRecord(
      pipeRecord(encodeIon(revisionRecordIon({ documentId, dataIon: `{ pad: "${pad}" }` }))),
      SELECT_EVERYTHING,
    );
    if (!event) throw new Error('no event');
    return { detailType: event.recordType, envelope: toQldbEnvelope(event, { persist: false }) };
  };
  const base = eventEntrySize(toPutEventsEntry(make(''), ADDRESS));
  const sized = make('x'.repeat(bytes - base));
  expect(eventEntrySize(toPutEventsEntry(sized, ADDRESS))).toBe(bytes);
  return sized;
}

describe('Function: busPublisher()', () => {
  it('sends an event of exactly the PutEvents entry limit and refuses one a byte larger without sending it', async () => {
    // Prepare
    const atLimit = eventOfSize('at-limit', PUT_EVENTS_MAX_ENTRY_BYTES);
    const overLimit = eventOfSize('over-limit', PUT_EVENTS_MAX_ENTRY_BYTES + 1);
    const publish = busPublisher(client, ADDRESS, { deadline: Deadline.in(10_000), maxAttempts: 2 });
    faulty.accepted.splice(0);

    // Act
    const outcome = await publish([atLimit, overLimit]);

    // Assess
    expect(outcome.published).toEqual([atLimit.envelope.idempotencyKey]);
    expect(outcome.failed).toEqual([
      {
        idempotencyKey: overLimit.envelope.idempotencyKey,
        errorCode: 'EventTooLarge',
        errorMessage: `the event is ${PUT_EVENTS_MAX_ENTRY_BYTES + 1} bytes as a PutEvents entry; EventBridge accepts at most ${PUT_EVENTS_MAX_ENTRY_BYTES}`,
      },
    ]);
    expect(faulty.accepted.map(({ entry }) => JSON.parse(entry.Detail ?? '{}').context.documentId)).toEqual([
      'at-limit',
    ]);
  }, 60_000);

  it('addresses each event with the source, the record type as detail-type and the envelope as detail', () => {
    // Prepare
    const event = eventOfSize('doc', 2_000);

    // Act
    const entry = toPutEventsEntry(event, ADDRESS);

    // Assess
    expect(entry).toEqual({
      EventBusName: 'qldb-pipe-dev',
      Source: 'qldb',
      DetailType: 'REVISION_DETAILS',
      Detail: JSON.stringify(event.envelope),
    });
  });
});
