import { jestConfig } from '../../jest.preset.mjs';

export default jestConfig('new-service');

// Test layers (files under test/): unit runs no server and no child process; end-to-end runs a browser,
// `pnpm dev`, forks or `osls package`; every other file is an integration test (local stand-ins).
export const layers = {
  unit: ['importedPackages.test.ts', 'names.test.ts', 'standaloneReadme.test.ts'],
  e2e: ['forkInMonorepo.test.ts', 'forkStandalone.test.ts', 'refusals.test.ts'],
};
