import { ConfigurationError } from '@blueprints/common';
import { readEnrichConfig } from '../../src/enrichment/config.js';

describe('Function: readEnrichConfig()', () => {
  it('reads the bus, the source and the selection options', () => {
    // Prepare
    const env = {
      EVENT_BUS_NAME: 'qldb-pipe-dev',
      EVENT_SOURCE: 'ledger',
      DROP_CONTROL_RECORDS: 'true',
      REVISIONS_ONLY: 'false',
      INCLUDE_TABLES: 'Orders, Customers',
      EXCLUDE_TABLES: '',
    };

    // Act
    const config = readEnrichConfig(env);

    // Assess
    expect(config).toEqual({
      bus: { eventBusName: 'qldb-pipe-dev', source: 'ledger' },
      selection: {
        dropControlRecords: true,
        revisionsOnly: false,
        includeTables: ['Orders', 'Customers'],
        excludeTables: [],
      },
      persist: false,
      publishMaxAttempts: 4,
      functionTimeoutMs: 15_000,
      recentlyPublishedTtlMs: 900_000,
      printOnly: false,
    });
  });

  it('reads the envelope, publishing and memory settings', () => {
    // Prepare
    const env = {
      EVENT_BUS_NAME: 'b',
      PERSIST_EVENTS: 'true',
      PUBLISH_MAX_ATTEMPTS: '2',
      FUNCTION_TIMEOUT_MS: '15000',
      RECENTLY_PUBLISHED_TTL_SECONDS: '0',
    };

    // Act
    const config = readEnrichConfig(env);

    // Assess
    expect(config).toMatchObject({
      persist: true,
      publishMaxAttempts: 2,
      functionTimeoutMs: 15_000,
      recentlyPublishedTtlMs: 0,
    });
  });

  it('fails naming FUNCTION_TIMEOUT_MS when it is not a number of milliseconds', () => {
    // Act & Assess
    expect(() => readEnrichConfig({ EVENT_BUS_NAME: 'b', FUNCTION_TIMEOUT_MS: '15s' })).toThrow(
      'Environment variable FUNCTION_TIMEOUT_MS must be an integer from 1000 to 900000, got "15s"',
    );
  });

  it('fails naming EVENT_BUS_NAME when it is missing', () => {
    // Act & Assess
    expect(() => readEnrichConfig({})).toThrow(
      new ConfigurationError('Environment variable EVENT_BUS_NAME is required but not set'),
    );
  });

  it('prints instead of publishing only under `osls invoke local` with no local bus endpoint', () => {
    // Act
    const local = readEnrichConfig({ EVENT_BUS_NAME: 'b', IS_LOCAL: 'true' });
    const localWithBus = readEnrichConfig({
      EVENT_BUS_NAME: 'b',
      IS_LOCAL: 'true',
      AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:1',
    });

    // Assess
    expect(local.printOnly).toBe(true);
    expect(localWithBus.printOnly).toBe(false);
  });
});
