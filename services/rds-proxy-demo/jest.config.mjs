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
