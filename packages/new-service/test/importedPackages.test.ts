import { packageOfSpecifier, packagesImportedBy, pluginsOf, typesPackageOf } from '../src/importedPackages.js';

describe('Function: packagesImportedBy()', () => {
  it('finds static, dynamic, side-effect and CommonJS imports, and packages resolved at run time', () => {
    // Prepare
    const source = [
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "import type { SQSEvent } from 'aws-lambda';",
      "export { x } from '@blueprints/common';",
      "import 'reflect-metadata';",
      "const pg = await import('pg');",
      "const ws = require('ws');",
      "const dynalite = createRequire(import.meta.url)('dynalite');",
      "const mqttDir = createRequire(import.meta.url).resolve('mqtt/package.json');",
      "import { S3Client } from '@aws-sdk/client-s3/dist-es/index.js';",
    ].join('\n');

    // Act
    const packages = packagesImportedBy(source);

    // Assess
    expect(packages.sort()).toEqual(
      [
        '@aws-lambda-powertools/logger',
        'aws-lambda',
        '@blueprints/common',
        'reflect-metadata',
        'pg',
        'ws',
        'dynalite',
        'mqtt',
        '@aws-sdk/client-s3',
      ].sort(),
    );
  });

  it('leaves out relative paths and Node built-ins', () => {
    // Act
    const packages = packagesImportedBy(
      "import { join } from 'node:path';\nimport fs from 'fs';\nimport { a } from './a.js';\nimport b from '../b.js';",
    );

    // Assess
    expect(packages).toEqual([]);
  });
});

describe('Function: packageOfSpecifier()', () => {
  it.each([
    ['@aws-sdk/client-s3', '@aws-sdk/client-s3'],
    ['mqtt/dist/mqtt.min.js', 'mqtt'],
    ['node:fs', undefined],
    ['stream/promises', undefined],
    ['./local.js', undefined],
  ])('%s → %s', (specifier, expected) => {
    expect(packageOfSpecifier(specifier)).toBe(expected);
  });
});

describe('Function: pluginsOf()', () => {
  it('lists the plugins a serverless.yml loads', () => {
    // Act
    const plugins = pluginsOf(
      'service: x\nplugins:\n  - serverless-esbuild\n  - "@blueprints/osls-plugin"\npackage:\n  individually: true\n',
    );

    // Assess
    expect(plugins).toEqual(['serverless-esbuild', '@blueprints/osls-plugin']);
  });
});

describe('Function: typesPackageOf()', () => {
  it('names the DefinitelyTyped package, scoped names included', () => {
    expect(typesPackageOf('ws')).toBe('@types/ws');
    expect(typesPackageOf('@scope/pkg')).toBe('@types/scope__pkg');
  });
});
