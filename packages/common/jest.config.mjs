import { jestConfig } from '../../jest.preset.mjs';

export default jestConfig('common');

// Test layers (files under test/): unit runs no server and no child process; end-to-end runs a browser,
// `pnpm dev`, forks or `osls package`; every other file is an integration test (local stand-ins).
export const layers = {
  unit: [
    'aws/Deadline.test.ts',
    'aws/onFirstUse.test.ts',
    'events/callFailure.test.ts',
    'events/envelope.test.ts',
    'iot/namespace.test.ts',
    'iot/policy.test.ts',
    'iot/presignIotUrl.test.ts',
  ],
  e2e: [],
};
