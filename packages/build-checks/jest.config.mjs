import { jestConfig } from '../../jest.preset.mjs';

export default jestConfig('build-checks');

// Test layers (files under test/): unit runs no server and no child process; end-to-end runs a browser,
// `pnpm dev`, forks or `osls package`; every other file is an integration test (local stand-ins).
export const layers = {
  unit: ['noServiceNames.test.ts', 'readmes.test.ts', 'templateFixtures.test.ts'],
  e2e: ['invokeLocal.test.ts', 'serviceStacks.test.ts', 'services.test.ts'],
};
