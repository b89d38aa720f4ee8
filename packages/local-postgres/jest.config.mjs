import { jestConfig } from '../../jest.preset.mjs';

export default jestConfig('local-postgres');

// Test layers (files under test/): unit runs no server and no child process; end-to-end runs a browser,
// `pnpm dev`, forks or `osls package`; every other file is an integration test (local stand-ins).
export const layers = {
  unit: [],
  e2e: [],
};
