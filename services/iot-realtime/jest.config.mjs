import { jestConfig } from '../../jest.preset.mjs';
export default jestConfig('iot-realtime');

// Test layers (files under test/): unit runs no server and no child process; end-to-end runs a browser,
// `pnpm dev`, forks or `osls package`; every other file is an integration test (local stand-ins).
export const layers = {
  unit: ['broadcast.test.ts', 'presign.test.ts'],
  e2e: [
    'authorizerSecret.test.ts',
    'localActions.test.ts',
    'namespace.template.test.ts',
    'presence.test.ts',
    'realtime.e2e.test.ts',
    'realtimeClient.e2e.test.ts',
    'template.test.ts',
    'twoDeployments.e2e.test.ts',
    'webPage.test.ts',
  ],
};
