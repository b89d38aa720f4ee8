import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { DataApiSqlRunner, StatementFailedError, WriteRefusedError } from '../../src/console/index.js';
import { type LocalDataApi, startLocalDataApi } from '../helpers/localDataApi.js';
import {
  LOCAL_DATABASE,
  LOCAL_PASSWORD,
  LOCAL_USER,
  type LocalPostgres,
  POSTGRES_START_TIMEOUT_MS,
  startLocalPostgres,
} from '../helpers/localPostgres.js';

// The console's Data API path: the real AWS SDK client against a loopback Data API stand-in that
// runs the statements on a real PostgreSQL.
const CLUSTER_ARN = 'arn:aws:rds:eu-west-1:123456789012:cluster:rds-proxy-demo-dev';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-abc-123456';

describe('Class: DataApiSqlRunner', () => {
  let postgres: LocalPostgres;
  let dataApi: LocalDataApi;
  let runner: DataApiSqlRunner;
  const articleCount = () => postgres.articleCount();

  beforeAll(async () => {
    postgres = await startLocalPostgres();
    await postgres.migrate();
    dataApi = await startLocalDataApi({
      host: '127.0.0.1',
      port: postgres.port,
      user: LOCAL_USER,
      password: LOCAL_PASSWORD,
      database: LOCAL_DATABASE,
    });
    const client = new RDSDataClient({
      region: 'eu-west-1',
      endpoint: dataApi.endpoint,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    });
    runner = new DataApiSqlRunner(client, { clusterArn: CLUSTER_ARN, secretArn: SECRET_ARN, database: 'app' });
  }, POSTGRES_START_TIMEOUT_MS);

  beforeEach(() => {
    dataApi.calls.length = 0;
  });

  afterAll(async () => {
    await runner?.close();
    await dataApi?.close();
    await postgres?.stop();
  });

  it('reads in a read-only transaction it always rolls back, with the secret it was given', async () => {
    // Act
    const result = await runner.run("SELECT type, title FROM articles WHERE type = 'release'", { write: false });

    // Assess
    expect(result).toEqual({
      columns: ['type', 'title'],
      rows: [{ type: 'release', title: 'rds-proxy-demo 1.0' }],
      rowCount: 1,
    });
    expect(dataApi.calls.map(({ operation, sql }) => [operation, sql])).toEqual([
      ['BeginTransaction', undefined],
      ['Execute', 'SET TRANSACTION READ ONLY'],
      ['Execute', "SELECT type, title FROM articles WHERE type = 'release'"],
      ['RollbackTransaction', undefined],
    ]);
    expect(new Set(dataApi.calls.map((call) => call.secretArn))).toEqual(new Set([SECRET_ARN]));
  });

  it('refuses a write without --write with WriteRefusedError, and rolls back', async () => {
    // Act
    const run = runner.run('DELETE FROM articles', { write: false });

    // Assess
    await expect(run).rejects.toThrow(WriteRefusedError);
    await expect(run).rejects.toThrow(/cannot execute DELETE in a read-only transaction/);
    expect(dataApi.calls.at(-1)?.operation).toBe('RollbackTransaction');
    expect(await articleCount()).toBe(6);
  });

  it('commits a write with --write and reports the updated row count', async () => {
    // Act
    const result = await runner.run("UPDATE articles SET summary = summary WHERE type = 'guide'", { write: true });

    // Assess
    expect(result).toEqual({ columns: [], rows: [], rowCount: 2 });
    expect(dataApi.calls.map((call) => call.operation)).toEqual(['BeginTransaction', 'Execute', 'CommitTransaction']);
  });

  it('reports a failing statement with its SQLSTATE', async () => {
    // Act
    const run = runner.run('SELECT * FROM no_such_table', { write: false });

    // Assess
    await expect(run).rejects.toThrow(StatementFailedError);
    await expect(run).rejects.toMatchObject({ sqlState: '42P01' });
  });
});
