import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@blueprints/common';
import AMAZON_ROOT_CA_1 from '../../src/database/AmazonRootCA1.pem';
import { readDatabaseSettings } from '../../src/database/index.js';

const deployed = {
  DB_HOST: 'rds-proxy-demo-dev.proxy-abc.eu-west-1.rds.amazonaws.com',
  DB_NAME: 'app',
  DB_USER: 'app_admin',
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'rds-proxy-demo-dev-version',
};

describe('Function: readDatabaseSettings()', () => {
  it('defaults to IAM auth and TLS verified against the shipped Amazon Root CA 1', () => {
    // Act
    const settings = readDatabaseSettings(deployed);

    // Assess
    expect(settings).toEqual({
      host: deployed.DB_HOST,
      readerHost: deployed.DB_HOST,
      port: 5432,
      database: 'app',
      user: 'app_admin',
      auth: 'iam',
      password: undefined,
      tlsCa: AMAZON_ROOT_CA_1,
      region: 'eu-west-1',
      connectTimeoutMs: 5000,
      statementTimeoutMs: 10000,
      applicationName: 'rds-proxy-demo-dev-version',
    });
  });

  it('uses the reader endpoint when one is configured', () => {
    // Act
    const settings = readDatabaseSettings({ ...deployed, DB_READER_HOST: 'rds-proxy-demo-dev-ro.endpoint.proxy-abc' });

    // Assess
    expect(settings.readerHost).toBe('rds-proxy-demo-dev-ro.endpoint.proxy-abc');
    expect(settings.host).toBe(deployed.DB_HOST);
  });

  it('reads a local password and turns TLS off when asked', () => {
    // Act
    const settings = readDatabaseSettings({ ...deployed, DB_AUTH: 'password', DB_PASSWORD: 'pw', DB_TLS: 'off' });

    // Assess
    expect(settings).toMatchObject({ auth: 'password', password: 'pw', tlsCa: undefined });
  });

  it('reads the CA from DB_CA_FILE', () => {
    // Prepare
    const file = join(tmpdir(), `rds-proxy-demo-ca-${process.pid}.pem`);
    writeFileSync(file, 'LOCAL CA PEM');

    // Act
    const settings = readDatabaseSettings({ ...deployed, DB_AUTH: 'trust', DB_CA_FILE: file });
    rmSync(file);

    // Assess
    expect(settings.tlsCa).toBe('LOCAL CA PEM');
  });

  it.each([
    [{ DB_HOST: undefined }, 'Environment variable DB_HOST is required but not set'],
    [{ DB_AUTH: 'password' }, 'Environment variable DB_PASSWORD is required but not set'],
    [{ DB_AUTH: 'kerberos' }, 'Environment variable DB_AUTH must be one of iam, password, trust, got "kerberos"'],
    [{ DB_TLS: 'off' }, 'DB_TLS=off cannot be combined with DB_AUTH=iam: IAM authentication requires TLS'],
    [{ DB_TLS: 'require' }, 'Environment variable DB_TLS must be "verify" or "off", got "require"'],
    [{ DB_PORT: '70000' }, 'Environment variable DB_PORT must be an integer from 1 to 65535, got "70000"'],
    [{ DB_CA_FILE: '/no/such/ca.pem' }, /^DB_CA_FILE "\/no\/such\/ca\.pem" cannot be read: ENOENT/],
  ])('rejects %j with a ConfigurationError naming the variable', (overrides, message) => {
    // Act
    const read = () => readDatabaseSettings({ ...deployed, ...overrides });

    // Assess
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(message);
  });
});
