import { join } from 'node:path';
import { FaultyEventBridge, type PutEventsFault } from '@blueprints/fault-injection';
import { functionsFromTemplate, LocalLambda, sourceHandlerLoader } from '@blueprints/local-runtime';
import { packagedServiceResolver } from '@blueprints/packaging';
import type { PipeBatchResponse, PipeKinesisRecord } from '../../src/handlers/enrich.js';
import { aggregate, encodeIon, pipeRecord, revisionRecordIon } from '../helpers/factories.js';

const SERVICE_DIR = join(import.meta.dirname, '../..');
const ENRICH = 'qldb-pipe-dev-enrich';

let faulty: FaultyEventBridge;
const THROTTLED: PutEventsFault = { kind: 'error', status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
const THROTTLED_ENTRY = { errorCode: 'ThrottlingException', errorMessage: 'injected by the test' };
let lambda: LocalLambda;
let timeoutMs: number;
let batchNo = 0;

beforeAll(async () => {
  faulty = await FaultyEventBridge.start();
  const resolver = await packagedServiceResolver(SERVICE_DIR);
  // The function as packaged (its timeout, its environment), reaching "EventBridge" on loopback.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EVENTBRIDGE: faulty.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  const functions = functionsFromTemplate(resolver).map((fn) => ({
    ...fn,
    environment: { ...fn.environment, POWERTOOLS_LOG_LEVEL: 'CRITICAL' },
  }));
  lambda = new LocalLambda(functions, sourceHandlerLoader(SERVICE_DIR));
  timeoutMs = lambda.find(ENRICH).timeoutSeconds * 1000;
}, 300_000);

afterAll(async () => {
  await faulty?.close();
});

interface Batch {
  records: PipeKinesisRecord[];
  /** The documents whose revisions each record (by eventID) carries. */
  documentsOf: Map<string, string[]>;
}

/** `records` Kinesis records, each a KPL aggregate of `perRecord` revisions of distinct documents. */
function batch(records: number, perRecord: number): Batch {
  batchNo++;
  const documentsOf = new Map<string, string[]>();
  const list = Array.from({ length: records }, (_, r) => {
    const documents = Array.from({ length: perRecord }, (_, i) => `b${batchNo}-r${r}-e${i}`);
    const record = pipeRecord(
      aggregate(documents.map((documentId) => encodeIon(revisionRecordIon({ documentId, version: 1 })))),
    );
    documentsOf.set(record.eventID as string, documents);
    return record;
  });
  return { records: list, documentsOf };
}

/** The documents of the events the endpoint accepted (in a call it may not have answered). */
function acceptedDocuments(): Set<string> {
  return new Set(faulty.accepted.map(({ entry }) => JSON.parse(entry.Detail ?? '{}').context.documentId as string));
}

async function invokeUnder(name: string, fault: PutEventsFault, { records, documentsOf }: Batch) {
  faulty.inject(fault);
  faulty.accepted.splice(0);
  const callsBefore = faulty.calls.length;
  const started = Date.now();
  const response = (await lambda.invoke(ENRICH, records)) as PipeBatchResponse;
  const elapsedMs = Date.now() - started;
  const handedBack = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  console.log(
    `[fault] ${name}: answered after ${elapsedMs} ms (function timeout ${timeoutMs} ms); ` +
      `${handedBack.size}/${records.length} records handed back; ${faulty.calls.length - callsBefore} PutEvents calls, ` +
      `${faulty.accepted.length} entries accepted`,
  );
  // The one outcome that would lose data: a record reported done with an event that never reached the bus.
  const accepted = acceptedDocuments();
  for (const [eventId, documents] of documentsOf) {
    if (!handedBack.has(eventId)) expect(documents.filter((d) => !accepted.has(d))).toEqual([]);
  }
  expect([...handedBack].every((id) => documentsOf.has(id))).toBe(true);
  return { handedBack, elapsedMs, accepted };
}

describe('Handler: enrich, against a loopback EventBridge', () => {
  it('publishes everything and hands nothing back when EventBridge answers', async () => {
    // Prepare
    const b = batch(3, 10);

    // Act
    const { handedBack, elapsedMs, accepted } = await invokeUnder('ok', { kind: 'entries' }, b);

    // Assess
    expect(handedBack.size).toBe(0);
    expect(accepted.size).toBe(30);
    expect(elapsedMs).toBeLessThan(timeoutMs);
  });

  it('hands every record back before the function timeout when EventBridge accepts and never answers', async () => {
    // Prepare
    const b = batch(3, 10);

    // Act
    const { handedBack, elapsedMs } = await invokeUnder('stall', { kind: 'stall' }, b);

    // Assess
    expect(handedBack.size).toBe(3);
    expect(elapsedMs).toBeLessThan(timeoutMs);
  }, 60_000);

  it('publishes everything within the function timeout when each call takes 2 s', async () => {
    // Prepare
    const b = batch(5, 10);

    // Act
    const { handedBack, elapsedMs, accepted } = await invokeUnder('slow', { kind: 'entries', delayMs: 2_000 }, b);

    // Assess
    expect(handedBack.size).toBe(0);
    expect(accepted.size).toBe(50);
    expect(elapsedMs).toBeLessThan(timeoutMs);
  }, 60_000);

  it('hands every record back when every call is throttled', async () => {
    // Prepare
    const b = batch(2, 5);

    // Act
    const { handedBack, elapsedMs, accepted } = await invokeUnder('throttle', THROTTLED, b);

    // Assess
    expect(handedBack.size).toBe(2);
    expect(accepted.size).toBe(0);
    expect(elapsedMs).toBeLessThan(timeoutMs);
  }, 60_000);

  it('hands back the records of a call whose response was dropped, though EventBridge took them', async () => {
    // Prepare
    const b = batch(2, 5);

    // Act
    const { handedBack, elapsedMs, accepted } = await invokeUnder('drop', { kind: 'drop' }, b);

    // Assess
    expect(accepted.size).toBe(10);
    expect(handedBack.size).toBe(2);
    expect(elapsedMs).toBeLessThan(timeoutMs);
  }, 60_000);

  it('hands back exactly the records with an entry EventBridge keeps refusing', async () => {
    // Prepare
    const b = batch(4, 5);
    const refused = 'b-r2-e3'.replace('b-', `b${batchNo}-`);

    // Act
    const { handedBack, elapsedMs, accepted } = await invokeUnder(
      'reject',
      { kind: 'entries', entry: (e) => ((e.Detail ?? '').includes(`"${refused}"`) ? THROTTLED_ENTRY : 'ok') },
      b,
    );

    // Assess
    expect([...handedBack]).toEqual([b.records[2]?.eventID]);
    expect(accepted.size).toBe(19);
    expect(elapsedMs).toBeLessThan(timeoutMs);
  }, 60_000);

  it('hands back the records of a call whose response is missing results', async () => {
    // Prepare
    const b = batch(1, 10);

    // Act
    const { handedBack, elapsedMs } = await invokeUnder(
      'omit-results',
      { kind: 'entries', entry: (_, index) => (index < 7 ? 'ok' : 'omit') },
      b,
    );

    // Assess
    expect(handedBack.size).toBe(1);
    expect(elapsedMs).toBeLessThan(timeoutMs);
  }, 60_000);
});
