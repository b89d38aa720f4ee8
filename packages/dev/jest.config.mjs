import { jestConfig } from '../../jest.preset.mjs';

export default jestConfig('dev');

// Test layers (files under test/): unit runs no server and no child process; end-to-end runs a browser,
// `pnpm dev`, forks or `osls package`; every other file is an integration test (local stand-ins).
export const layers = {
  unit: ['localFunctions.test.ts', 'projectRoot.test.ts'],
  e2e: ['commandLine.test.ts', 'configChange.test.ts', 'dashboard.browser.test.ts'],
};
