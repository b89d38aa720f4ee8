import { jestConfig } from '../../jest.preset.mjs';

export default jestConfig('packaging');

// Test layers (files under test/): unit runs no server and no child process; end-to-end runs a browser,
// `pnpm dev`, forks or `osls package`; every other file is an integration test (local stand-ins).
export const layers = {
  unit: ['dotenv.test.ts', 'ownerLock.test.ts', 'packagingProgress.test.ts', 'template.test.ts'],
  e2e: [],
};
