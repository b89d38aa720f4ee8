import { IotNamespace, integerEnv, optionalEnv, requiredEnv } from '@blueprints/common';
import type { SecretReadBudget } from './signingSecret.js';

/** IoT Core stops waiting for a custom authorizer after 5 s; every read must fit well inside it. */
export const IOT_AUTHORIZER_TIMEOUT_MS = 5000;
/** Kept free for verifying the token and building the policy after the secret read. */
const VERIFY_MARGIN_MS = 1000;

/** The authorizer's settings, read once at module load from the environment serverless.yml sets. */
export interface AuthorizerConfig {
  /** HS256 mode: the secret's ARN (never its value). */
  secretId?: string;
  /** JWKS mode: the identity provider's key set. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  secretMaxAgeSeconds: number;
  maxLifetimeSeconds: number;
  clockToleranceSeconds: number;
  secretRead: SecretReadBudget;
  policy: { region: string; accountId: string; sensorRuleName: string; namespace: IotNamespace };
}

/**
 * Reads and checks the authorizer's configuration. Throws `ConfigurationError` naming the variable
 * when one is missing or out of range. The secret read's budget is capped so a second of IoT Core's
 * 5 s is always left for verifying the token.
 *
 * @example
 * const config = authorizerConfig(); // JWT_SECRET_ARN=arn:aws:secretsmanager:…, JWT_MAX_LIFETIME_SECONDS=3600, …
 */
export function authorizerConfig(env: Record<string, string | undefined> = process.env): AuthorizerConfig {
  const jwksUrl = optionalEnv('JWKS_URL', '', env);
  const issuer = optionalEnv('JWT_ISSUER', '', env);
  const audience = optionalEnv('JWT_AUDIENCE', '', env);
  const secretRead: SecretReadBudget = {
    budgetMs: integerEnv(
      'SECRET_READ_BUDGET_MS',
      2500,
      { min: 200, max: IOT_AUTHORIZER_TIMEOUT_MS - VERIFY_MARGIN_MS },
      env,
    ),
    maxAttempts: integerEnv('SECRET_MAX_ATTEMPTS', 2, { min: 1, max: 3 }, env),
  };
  return {
    ...(jwksUrl ? { jwksUrl } : { secretId: requiredEnv('JWT_SECRET_ARN', env) }),
    ...(issuer ? { issuer } : {}),
    ...(audience ? { audience } : {}),
    secretMaxAgeSeconds: integerEnv('JWT_SECRET_MAX_AGE_SECONDS', 300, { min: 1, max: 3600 }, env),
    maxLifetimeSeconds: integerEnv('JWT_MAX_LIFETIME_SECONDS', 3600, { min: 300, max: 86_400 }, env),
    clockToleranceSeconds: integerEnv('JWT_CLOCK_TOLERANCE_SECONDS', 5, { min: 0, max: 300 }, env),
    secretRead,
    policy: {
      region: requiredEnv('AWS_REGION', env),
      accountId: requiredEnv('ACCOUNT_ID', env),
      sensorRuleName: requiredEnv('SENSOR_RULE_NAME', env),
      namespace: IotNamespace.parse(requiredEnv('IOT_NAMESPACE', env)),
    },
  };
}
