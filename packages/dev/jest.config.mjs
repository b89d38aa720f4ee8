import { jestConfig } from '../../jest.preset.mjs';

export default jestConfig('dev');

// Test layers (files under test/): unit runs no server and no child process; end-to-end runs a browser,
// `pnpm dev`, forks or `osls package`; every other file is an integration test (local stand-ins).
export const layers = {
  unit: ['dashboardInvoke.test.ts', 'dashboardOutcomes.test.ts', 'projectRoot.test.ts'],
  e2e: [
    'cleanStop.test.ts',
    'commandLine.test.ts',
    'dashboard.browser.test.ts',
    'hotReload.test.ts',
    'lambdaInvoke.test.ts',
  ],
};
