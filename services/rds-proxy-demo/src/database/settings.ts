import { readFileSync } from 'node:fs';
import { ConfigurationError, integerEnv, optionalEnv, requiredEnv } from '@blueprints/common';
import AMAZON_ROOT_CA_1 from './AmazonRootCA1.pem';

/**
 * How the function logs in:
 * - `iam`: a 15-minute IAM token from `@aws-sdk/rds-signer` (the deployed default; the proxy requires it)
 * - `password`: `DB_PASSWORD` (a local Postgres standing in for the proxy)
 * - `trust`: no password (a local Postgres with trust authentication)
 */
export type DatabaseAuth = 'iam' | 'password' | 'trust';

export interface DatabaseSettings {
  /** Read/write endpoint: the RDS Proxy's default endpoint. */
  host: string;
  /** Read-only endpoint (the proxy's READ_ONLY endpoint); the writer host when not configured. */
  readerHost: string;
  port: number;
  database: string;
  user: string;
  auth: DatabaseAuth;
  /** Only with `auth: 'password'`. */
  password?: string;
  /** PEM of the CA(s) the server certificate must chain to; `undefined` turns TLS off (local only). */
  tlsCa?: string;
  /** AWS region the IAM token is signed for. */
  region: string;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** Shown in `pg_stat_activity.application_name`. */
  applicationName: string;
}

type Env = Record<string, string | undefined>;

const AUTH_MODES: readonly DatabaseAuth[] = ['iam', 'password', 'trust'];

/**
 * Reads the database settings from the environment, once, at module load.
 * Deployed functions get DB_HOST / DB_READER_HOST / DB_NAME / DB_USER from serverless.yml and the
 * secure defaults for the rest (IAM auth, TLS verified against the shipped Amazon Root CA 1).
 *
 * @example
 * const settings = readDatabaseSettings(); // throws ConfigurationError naming the bad variable
 */
export function readDatabaseSettings(env: Env = process.env): DatabaseSettings {
  const host = requiredEnv('DB_HOST', env);
  const auth = optionalEnv('DB_AUTH', 'iam', env) as DatabaseAuth;
  if (!AUTH_MODES.includes(auth)) {
    throw new ConfigurationError(`Environment variable DB_AUTH must be one of ${AUTH_MODES.join(', ')}, got "${auth}"`);
  }
  const tls = optionalEnv('DB_TLS', 'verify', env);
  if (tls !== 'verify' && tls !== 'off') {
    throw new ConfigurationError(`Environment variable DB_TLS must be "verify" or "off", got "${tls}"`);
  }
  if (auth === 'iam' && tls === 'off') {
    // IAM tokens are bearer credentials and the proxy refuses non-TLS clients anyway.
    throw new ConfigurationError('DB_TLS=off cannot be combined with DB_AUTH=iam: IAM authentication requires TLS');
  }
  const caFile = env.DB_CA_FILE?.trim();
  return {
    host,
    readerHost: optionalEnv('DB_READER_HOST', host, env),
    port: integerEnv('DB_PORT', 5432, { min: 1, max: 65535 }, env),
    database: requiredEnv('DB_NAME', env),
    user: requiredEnv('DB_USER', env),
    auth,
    password: auth === 'password' ? requiredEnv('DB_PASSWORD', env) : undefined,
    tlsCa: tls === 'off' ? undefined : caFile ? readCaFile(caFile) : AMAZON_ROOT_CA_1,
    region: optionalEnv('AWS_REGION', 'us-east-1', env),
    connectTimeoutMs: integerEnv('DB_CONNECT_TIMEOUT_MS', 5000, { min: 100, max: 60000 }, env),
    statementTimeoutMs: integerEnv('DB_STATEMENT_TIMEOUT_MS', 10000, { min: 0, max: 900000 }, env),
    applicationName: optionalEnv(
      'DB_APPLICATION_NAME',
      optionalEnv('AWS_LAMBDA_FUNCTION_NAME', 'rds-proxy-demo', env),
      env,
    ),
  };
}

function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`DB_CA_FILE "${path}" cannot be read: ${(error as Error).message}`);
  }
}
