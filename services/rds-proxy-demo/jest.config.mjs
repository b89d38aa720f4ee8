import { jestConfig } from '../../jest.preset.mjs';

const base = jestConfig('rds-proxy-demo');

// Migrations (.sql) and the CA certificate (.pem) are imported as text, as esbuild's text loader
// bundles them (custom.bundle.loader in serverless.yml).
export default {
  ...base,
  extensionsToTreatAsEsm: [...base.extensionsToTreatAsEsm, '.sql', '.pem'],
  moduleFileExtensions: ['js', 'mjs', 'cjs', 'ts', 'json', 'sql', 'pem'],
  transform: {
    ...base.transform,
    '\\.(sql|pem)$': '<rootDir>/test/helpers/textFileTransformer.cjs',
  },
};

// Test layers (files under test/): unit runs no server and no child process; end-to-end runs a browser,
// `pnpm dev`, forks or `osls package`; every other file is an integration test (local stand-ins).
export const layers = {
  unit: [
    'console/singleStatement.test.ts',
    'database/stepBudget.test.ts',
    'database/amazonRootCa1.test.ts',
    'database/errors.test.ts',
    'database/passwordProviders.test.ts',
    'database/settings.test.ts',
  ],
  e2e: ['localActions.test.ts', 'template.test.ts'],
};
