/** Thrown at module load when a function's configuration is missing or malformed. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads a required environment variable, failing with its name when it is missing or empty.
 * Call it at module load so a misconfigured function fails on its first cold start, not mid-request.
 *
 * @example
 * const TABLE_NAME = requiredEnv('TABLE_NAME');
 */
export function requiredEnv(name: string, env: Env = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Environment variable ${name} is required but not set`);
  }
  return value;
}

/**
 * Reads an optional environment variable with a default.
 *
 * @example
 * const LOG_LEVEL = optionalEnv('LOG_LEVEL', 'INFO');
 */
export function optionalEnv(name: string, fallback: string, env: Env = process.env): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value;
}

/**
 * Reads an integer environment variable within bounds, with a default.
 *
 * @example
 * const MAX_RETRIES = integerEnv('MAX_RETRIES', 3, { min: 0, max: 10 });
 */
export function integerEnv(
  name: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
  env: Env = process.env,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`Environment variable ${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/**
 * Reads a boolean environment variable (`true`/`false`, `1`/`0`), with a default.
 *
 * @example
 * const DROP_CONTROL = booleanEnv('DROP_CONTROL_RECORDS', false);
 */
export function booleanEnv(name: string, fallback: boolean, env: Env = process.env): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigurationError(`Environment variable ${name} must be true or false, got "${env[name]}"`);
}

/**
 * Reads a comma-separated list (empty entries dropped).
 *
 * @example
 * const TABLES = listEnv('INCLUDE_TABLES'); // 'a, b' → ['a', 'b']
 */
export function listEnv(name: string, env: Env = process.env): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
