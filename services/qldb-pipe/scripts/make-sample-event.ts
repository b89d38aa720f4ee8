// Writes events/enrich.json: the array EventBridge Pipes hands the enrich function, holding one
// KPL-aggregated Kinesis record of Ion binary QLDB records (a block summary, an insert, an update
// and a delete), exactly as a QLDB journal stream with aggregation enabled produces them.
//   pnpm sample-event     (tsx scripts/make-sample-event.ts)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  aggregate,
  blockSummaryRecordIon,
  encodeIon,
  pipeRecord,
  revisionRecordIon,
} from '../test/helpers/factories.js';

const users = [
  encodeIon(blockSummaryRecordIon(14)),
  encodeIon(
    revisionRecordIon({
      version: 0,
      dataIon: `{ VIN: "1N4AL11D75C109151", LicensePlateNumber: "LEWISR261LL", State: "WA",
        PendingPenaltyTicketAmount: 90.25, ValidFromDate: 2017-08-21, ValidToDate: 2020-05-11,
        Mileage: 18446744073709551617, Fee: 123456789012345678901234567890.12 }`,
    }),
  ),
  encodeIon(
    revisionRecordIon({
      version: 1,
      dataIon: '{ VIN: "1N4AL11D75C109151", LicensePlateNumber: "LEWISR261LL", State: "OR" }',
    }),
  ),
  encodeIon(revisionRecordIon({ version: 2, dataIon: undefined })),
];

const event = [pipeRecord(aggregate(users))];
const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'events', 'enrich.json');
writeFileSync(file, `${JSON.stringify(event, null, 2)}\n`);
console.log(`wrote ${file}: 1 aggregated Kinesis record holding ${users.length} QLDB records`);
