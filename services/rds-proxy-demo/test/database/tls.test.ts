import { rmSync } from 'node:fs';
import AMAZON_ROOT_CA_1 from '../../src/database/AmazonRootCA1.pem';
import { Database, DatabaseConnectionError, readDatabaseSettings } from '../../src/database/index.js';
import {
  createTestCertificates,
  type LocalPostgres,
  POSTGRES_START_TIMEOUT_MS,
  startLocalPostgres,
  type TestCertificates,
} from '../helpers/localPostgres.js';

describe('Class: Database (TLS verification)', () => {
  let certificates: TestCertificates;
  let postgres: LocalPostgres;
  const open: Database[] = [];
  const track = (database: Database) => {
    open.push(database);
    return database;
  };

  beforeAll(async () => {
    certificates = createTestCertificates();
    postgres = await startLocalPostgres({ tls: certificates.server });
  }, POSTGRES_START_TIMEOUT_MS);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((database) => database.close()));
  });

  afterAll(async () => {
    await postgres?.stop();
    rmSync(certificates.dir, { recursive: true, force: true });
  });

  it('connects over TLS when the server certificate chains to the configured CA', async () => {
    // Prepare
    const database = track(new Database(postgres.settings({ host: 'localhost', tlsCa: certificates.caPem })));

    // Act
    const { rows } = await database.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');

    // Assess
    expect(rows).toEqual([{ ssl: true }]);
  });

  it('connects with the CA read from DB_CA_FILE, as `osls invoke local` against a TLS Postgres does', async () => {
    // Prepare
    const settings = readDatabaseSettings(
      postgres.environment({ DB_TLS: 'verify', DB_CA_FILE: certificates.caFile, DB_HOST: 'localhost' }),
    );
    const database = track(new Database(settings));

    // Act
    const { rows } = await database.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');

    // Assess
    expect(rows).toEqual([{ ssl: true }]);
  });

  it('refuses the server with a clear error when verifying against the shipped Amazon Root CA 1', async () => {
    // Prepare: the deployed default CA does not sign the local test certificate
    const database = track(new Database(postgres.settings({ host: 'localhost', tlsCa: AMAZON_ROOT_CA_1 })));

    // Act
    const attempt = database.query('SELECT 1');

    // Assess
    await expect(attempt).rejects.toThrow(DatabaseConnectionError);
    await expect(attempt).rejects.toThrow(
      /the server's TLS certificate was rejected \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
    );
  });

  it('refuses a certificate that does not name the host connected to', async () => {
    // Prepare: right CA, but the certificate names `localhost`, not 127.0.0.1
    const database = track(new Database(postgres.settings({ host: '127.0.0.1', tlsCa: certificates.caPem })));

    // Act
    const attempt = database.query('SELECT 1');

    // Assess
    await expect(attempt).rejects.toThrow(/TLS certificate was rejected \(ERR_TLS_CERT_ALTNAME_INVALID/);
  });
});
