import { jestConfig } from '../../jest.preset.mjs';

export default jestConfig('qldb-pipe');

// Test layers (files under test/): unit runs no server and no child process; end-to-end runs a browser,
// `pnpm dev`, forks or `osls package`; every other file is an integration test (local stand-ins).
export const layers = {
  unit: [
    'delivery/RecentlyPublished.test.ts',
    'enrichment/config.test.ts',
    'enrichment/decodeQldbRecords.test.ts',
    'enrichment/enrichBatch.test.ts',
    'ion/ionToJson.test.ts',
    'kinesis/deaggregateRecord.test.ts',
    'qldb/toQldbEnvelope.test.ts',
  ],
  e2e: ['archiveRule.test.ts', 'handlers/enrich.faults.test.ts', 'journalPipe.test.ts', 'localActions.test.ts'],
};
