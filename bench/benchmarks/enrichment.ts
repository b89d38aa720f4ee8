import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { formatNumber, formatRatio, formatSample, type Sample, summarize } from '../harness/statistics.js';
import type { Benchmark, BenchmarkOutcome } from '../harness/types.js';
import { notAvailable } from '../harness/types.js';
import { importFrom, missingFiles } from '../harness/workspaceImport.js';

type DecodeModule = typeof import('../../services/qldb-pipe/src/enrichment/decodeQldbRecords.js');
type SelectModule = typeof import('../../services/qldb-pipe/src/qldb/selectEvents.js');
type QldbEventModule = typeof import('../../services/qldb-pipe/src/qldb/toQldbEvent.js');
type QldbEvent = import('../../services/qldb-pipe/src/qldb/toQldbEvent.js').QldbEvent;
type JsonValue = import('../../services/qldb-pipe/src/ion/ionToJson.js').JsonValue;

interface IonJs {
  makeReader(source: string | Uint8Array): unknown;
  makeBinaryWriter(): { writeValues(reader: unknown): void; close(): void; getBytes(): Uint8Array };
  loadAll(source: Uint8Array): unknown[];
}
interface KinesisAgg {
  RecordAggregator: new (
    onReady: () => void,
  ) => { addUserRecord(record: { partitionKey: string; data: Buffer }): void; build(): { data: Buffer } };
  deaggregateSync(
    record: { data: string; partitionKey: string; sequenceNumber: string },
    computeChecksums: boolean,
    done: (error: unknown, records?: Array<{ partitionKey: string; subSequenceNumber: number; data: string }>) => void,
  ): void;
}
interface KinesisRecord {
  data: string;
  partitionKey: string;
  sequenceNumber: string;
}

const STREAM_ARN = 'arn:aws:qldb:us-east-1:123456789012:stream/vehicle-registration/IiPT4brpZCqCq3f4MTHbYy';

/** A document both conversions render the same (ints, strings, bools, millisecond timestamps, dyadic decimals). */
function plainDocumentIon(i: number): string {
  return `{ VIN: "1N4AL11D75C${(100000 + i).toString()}", LicensePlateNumber: "LEWIS${i % 997}", State: "WA", City: "Seattle",
    PendingPenaltyTicketAmount: ${(i % 40) / 4}, ValidFromDate: 2019-05-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00.000Z,
    ValidToDate: 2021-05-01T00:00:00.000Z, Owners: { PrimaryOwner: { PersonId: "294jJ3YUoH1IEEm8GSabOs" },
    SecondaryOwners: [{ PersonId: "1nmeDdLo3AhGswBtyM1eYh" }] }, Mileage: ${1000 + i * 13}, Insured: ${i % 2 === 0} }`;
}

/** A document the shortcut gets wrong: money in cents, an id beyond 2^53. */
function preciseDocumentIon(i: number): string {
  return `{ VIN: "1N4AL11D75C${(100000 + i).toString()}", InvoiceAmount: ${1000 + i}.${String(i % 100).padStart(2, '0')},
    LedgerSequence: ${18446744073709551617n + BigInt(i)}, State: "WA", Insured: true }`;
}

function revisionIon(i: number, kind: 'plain' | 'precise' | 'deleted'): string {
  const data = kind === 'deleted' ? '' : `data: ${kind === 'plain' ? plainDocumentIon(i) : preciseDocumentIon(i)},`;
  return `{ qldbStreamArn: "${STREAM_ARN}", recordType: "REVISION_DETAILS", payload: {
    tableInfo: { tableName: "${i % 3 === 0 ? 'Person' : 'VehicleRegistration'}", tableId: "LY4HO2JgTZI7nKgGGrfM6j" },
    revision: { blockAddress: { strandId: "KmvQFC8bMDo5KyxnxRkjeM", sequenceNo: ${14 + i} },
      hash: {{hLnFQsV+1lG5QkqPHHUxbqP5R67Ce9dr5rV7s6nNBvw=}}, ${data}
      metadata: { id: "doc${i % 500}", version: ${i % 7}, txTime: 2020-06-18T20:06:39.171Z, txId: "9kpDWaTIBVy7wnqXADrbhJ" } } } }`;
}

function blockSummaryIon(i: number): string {
  return `{ qldbStreamArn: "${STREAM_ARN}", recordType: "BLOCK_SUMMARY", payload: {
    blockAddress: { strandId: "KmvQFC8bMDo5KyxnxRkjeM", sequenceNo: ${14 + i} }, transactionId: "9kpDWaTIBVy7wnqXADrbhJ",
    blockTimestamp: 2020-06-18T20:06:39.171Z, blockHash: {{hLnFQsV+1lG5QkqPHHUxbqP5R67Ce9dr5rV7s6nNBvw=}},
    entriesHash: {{hLnFQsV+1lG5QkqPHHUxbqP5R67Ce9dr5rV7s6nNBvw=}},
    transactionInfo: { statements: [{ statement: "UPDATE VehicleRegistration SET Mileage = ?", startTime: 2020-06-18T20:06:39.127Z }] },
    revisionSummaries: [{ hash: {{AwQF}}, documentId: "doc${i % 500}" }] } }`;
}

interface Mix {
  records: KinesisRecord[];
  userRecords: number;
  /** Kinds of the user records, in stream order (to tell which outputs must agree). */
  kinds: string[];
}

/**
 * Pipes batches as QLDB streams write them: most Kinesis records KPL-aggregate one block (a
 * BLOCK_SUMMARY then 1–8 REVISION_DETAILS), some carry one revision unaggregated, one CONTROL record
 * per batch; 1 revision in 10 is a deletion, 1 in 20 carries values the shortcut rounds.
 */
function buildMix(ion: IonJs, agg: KinesisAgg, kinesisRecords: number): Mix {
  const binary = (text: string) => {
    const writer = ion.makeBinaryWriter();
    writer.writeValues(ion.makeReader(text));
    writer.close();
    return Buffer.from(writer.getBytes());
  };
  const records: KinesisRecord[] = [];
  const kinds: string[] = [];
  let n = 0;
  let sequence = 49590338271490256608559692538361571095921575989136588898n;
  const push = (data: Buffer) => {
    sequence += 1n;
    records.push({
      data: data.toString('base64'),
      partitionKey: 'IiPT4brpZCqCq3f4MTHbYy',
      sequenceNumber: `${sequence}`,
    });
  };
  const revision = () => {
    n++;
    const kind = n % 20 === 0 ? 'precise' : n % 10 === 0 ? 'deleted' : 'plain';
    kinds.push(kind);
    return binary(revisionIon(n, kind));
  };
  for (let r = 0; r < kinesisRecords; r++) {
    if (r % 100 === 0) {
      kinds.push('control');
      push(
        binary(`{ qldbStreamArn: "${STREAM_ARN}", recordType: "CONTROL", payload: { controlRecordType: "CREATED" } }`),
      );
    } else if (r % 10 === 0) {
      push(revision());
    } else {
      const aggregator = new agg.RecordAggregator(() => undefined);
      kinds.push('block-summary');
      aggregator.addUserRecord({ partitionKey: 'IiPT4brpZCqCq3f4MTHbYy', data: binary(blockSummaryIon(r)) });
      for (let k = 0; k < 1 + (r % 8); k++)
        aggregator.addUserRecord({ partitionKey: 'IiPT4brpZCqCq3f4MTHbYy', data: revision() });
      push(aggregator.build().data);
    }
  }
  return { records, userRecords: kinds.length, kinds };
}

export const enrichment: Benchmark = {
  name: 'enrichment',
  title: '4. Enrichment throughput (qldb-pipe): de-aggregation + Ion→JSON',
  async run(context): Promise<BenchmarkOutcome> {
    const missing = missingFiles(context.repoRoot, [
      'services/qldb-pipe/src/enrichment/decodeQldbRecords.ts',
      'services/qldb-pipe/src/qldb/toQldbEvent.ts',
      'services/qldb-pipe/src/qldb/selectEvents.ts',
    ]);
    if (missing.length > 0) return notAvailable(`missing ${missing.join(', ')}`);
    const { decodeQldbRecords } = (await import(
      '../../services/qldb-pipe/src/enrichment/decodeQldbRecords.js'
    )) as DecodeModule;
    const { SELECT_EVERYTHING } = (await import('../../services/qldb-pipe/src/qldb/selectEvents.js')) as SelectModule;
    const { toQldbEvent } = (await import('../../services/qldb-pipe/src/qldb/toQldbEvent.js')) as QldbEventModule;
    const serviceDir = join(context.repoRoot, 'services', 'qldb-pipe');
    const ion = await importFrom<IonJs>(serviceDir, 'ion-js');
    const agg = await importFrom<KinesisAgg>(serviceDir, 'aws-kinesis-agg');

    /** The straightforward approach: the library's de-aggregation, then ion.loadAll + a JSON round trip. */
    const straightforward = (records: KinesisRecord[]): QldbEvent[] => {
      const events: QldbEvent[] = [];
      for (const record of records) {
        const bytes = Buffer.from(record.data, 'base64');
        let users: Array<{ data: Buffer; subSequenceNumber?: number; partitionKey: string }> = [
          { data: bytes, partitionKey: record.partitionKey },
        ];
        if (bytes.subarray(0, 4).equals(Buffer.from([0xf3, 0x89, 0x9a, 0xc2]))) {
          agg.deaggregateSync(record, true, (error, found) => {
            if (error) throw error;
            users = (found ?? []).map((u) => ({
              data: Buffer.from(u.data, 'base64'),
              subSequenceNumber: u.subSequenceNumber,
              partitionKey: u.partitionKey ?? record.partitionKey,
            }));
          });
        }
        for (const user of users) {
          for (const value of ion.loadAll(user.data)) {
            const json = JSON.parse(JSON.stringify(value)) as JsonValue;
            events.push(
              toQldbEvent(json, {
                sequenceNumber: record.sequenceNumber,
                ...(user.subSequenceNumber === undefined ? {} : { subSequenceNumber: user.subSequenceNumber }),
                partitionKey: user.partitionKey,
              }),
            );
          }
        }
      }
      return events;
    };
    const ours = (records: KinesisRecord[]) => decodeQldbRecords(records, SELECT_EVERYTHING);

    const kinesisRecords = context.quick ? 300 : 1000;
    const rounds = context.quick ? 3 : 9;
    const mix = buildMix(ion, agg, kinesisRecords);

    // Correctness first: same events where both conversions are right, and the shortcut's losses counted.
    const a = ours(mix.records);
    const b = straightforward(mix.records);
    if (a.length !== mix.userRecords || b.length !== mix.userRecords) {
      throw new Error(`expected ${mix.userRecords} events, got ${a.length} (ours) and ${b.length} (straightforward)`);
    }
    const agreement: Record<string, { equal: number; different: number }> = {};
    for (const [i, kind] of mix.kinds.entries()) {
      const slot = agreement[kind] ?? { equal: 0, different: 0 };
      agreement[kind] = slot;
      if (isDeepStrictEqual(a[i], b[i])) slot.equal++;
      else slot.different++;
    }
    const mustAgree = Object.entries(agreement).filter(([kind]) => kind !== 'precise');
    const disagreements = mustAgree.reduce((sum, [, s]) => sum + s.different, 0);
    if (disagreements > 0) {
      throw new Error(
        `the two approaches disagree on ${disagreements} records both should convert alike: ${JSON.stringify(agreement)}`,
      );
    }

    const rates: Record<'ours' | 'straightforward', number[]> = { ours: [], straightforward: [] };
    const contenders = { ours, straightforward };
    for (const fn of Object.values(contenders)) fn(mix.records); // warm-up (JIT)
    for (let round = 0; round < rounds; round++) {
      for (const name of ['ours', 'straightforward'] as const) {
        const started = performance.now();
        contenders[name](mix.records);
        rates[name].push(mix.userRecords / ((performance.now() - started) / 1000));
      }
    }
    const oursRate: Sample = summarize(rates.ours);
    const baseRate: Sample = summarize(rates.straightforward);
    const ratio = oursRate.median / baseRate.median;
    const precise = agreement.precise ?? { equal: 0, different: 0 };
    return {
      status: 'ok',
      tables: [
        {
          columns: ['approach', 'QLDB records/s', 'relative'],
          rows: [
            [
              'ours: decodeQldbRecords (MD5-checked de-aggregation, ionToJson reader walk)',
              formatSample(oursRate),
              formatRatio(ratio),
            ],
            [
              'straightforward: deaggregateSync + ion.loadAll + JSON.parse(JSON.stringify())',
              formatSample(baseRate),
              '1.00×',
            ],
          ],
        },
      ],
      targets: [
        {
          target: 'at least 1.5× the straightforward approach',
          met: ratio >= 1.5,
          detail: `${formatRatio(ratio)} (medians of ${rounds} interleaved rounds)`,
        },
      ],
      notes: [
        `Input: ${formatNumber(kinesisRecords)} Kinesis records (Pipes batches of 100: one CONTROL each, 10% single unaggregated revisions, the rest KPL aggregates of a BLOCK_SUMMARY + 1–8 REVISION_DETAILS) = ${formatNumber(mix.userRecords)} QLDB records, Ion binary; 1 revision in 10 is a deletion, 1 in 20 carries money in cents and an int beyond 2^53. Both approaches shape events with the same toQldbEvent().`,
        `Outputs compared event by event: identical on every record both should convert alike (${mustAgree.map(([k, s]) => `${k} ${s.equal}/${s.equal + s.different}`).join(', ')}); on the ${precise.equal + precise.different} records with cents and big ints they differ on ${precise.different} (the shortcut rounds the ints beyond 2^53 and turns cents into doubles that do not hold them exactly; ours keeps both exact, as strings).`,
        'In-process, single thread, after a warm-up pass; rounds alternate the two approaches.',
      ],
      data: {
        kinesisRecords,
        userRecords: mix.userRecords,
        rounds,
        recordsPerSecond: { ours: oursRate, straightforward: baseRate },
        ratio,
        agreement,
        rawRates: rates,
      },
    };
  },
};
