import { jestConfig } from '../../jest.preset.mjs';

export default jestConfig('event-logger');

// Test layers (files under test/): unit runs no server and no child process; end-to-end runs a browser,
// `pnpm dev`, forks or `osls package`; every other file is an integration test (local stand-ins).
export const layers = {
  unit: [
    'fairQueue/brandDimension.test.ts',
    'fairQueue/brandOrder.test.ts',
    'publishing/publishRequest.test.ts',
    'querying/queryRequest.test.ts',
    'tenancy/callerTenant.test.ts',
  ],
  e2e: [
    'busRouting.test.ts',
    'configChange.test.ts',
    'endToEnd.test.ts',
    'handlers/invokeLocal.test.ts',
    'handlers/publish.faults.test.ts',
    'handlers/store.faults.test.ts',
    'localActions.test.ts',
    'publishing/publishEvents.test.ts',
    'storage/EventStore.test.ts',
    'template.test.ts',
  ],
};
