import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig, onFirstUse } from '@blueprints/common';

/** How long reading the secret may take, all attempts together: the authorizer has 5 s in all (IoT Core's cap). */
export interface SecretReadBudget {
  /** Ceiling for one read, every attempt included, ms. */
  budgetMs: number;
  /** Attempts in all (1 = no retry); each gets `budgetMs / maxAttempts`. */
  maxAttempts: number;
}

/**
 * A Secrets Manager client made with common's `awsClientConfig`: timeouts that abort the request
 * (not only log, as `@smithy/node-http-handler` 4.x does without `throwOnRequestTimeout`), sized so
 * every attempt together fits `budgetMs`.
 *
 * @example
 * const client = secretsManagerClient({ budgetMs: 2500, maxAttempts: 2 }); // 1.25 s per attempt
 */
export function secretsManagerClient(budget: SecretReadBudget): SecretsManagerClient {
  return new SecretsManagerClient(
    awsClientConfig({
      functionTimeoutMs: budget.budgetMs,
      callShare: 1,
      maxAttempts: budget.maxAttempts,
      // Secrets Manager is a regional endpoint: a connection that takes longer is not coming.
      connectionTimeoutMs: 500,
    }),
  );
}

export class SecretNotAStringError extends Error {
  constructor(secretId: string) {
    super(`Secret ${secretId} has no SecretString (binary secrets are not supported)`);
    this.name = 'SecretNotAStringError';
  }
}

/**
 * Reads a secret's current value at run time through Powertools Parameters, cached in this
 * execution environment for `maxAgeSeconds`: a rotation reaches every warm function within that
 * age, without a deploy. A failed read is not cached, so the next call tries again. The client is
 * built on the first read, not when the reader is made (see onFirstUse in @blueprints/common).
 *
 * @example
 * const readSecret = cachedSecretString(process.env.JWT_SECRET_ARN!, { maxAgeSeconds: 300, client: () => client });
 * const secret = await readSecret();
 */
export function cachedSecretString(
  secretId: string,
  options: { maxAgeSeconds: number; client: () => SecretsManagerClient },
): () => Promise<string> {
  const provider = onFirstUse(() => new SecretsProvider({ awsSdkV3Client: options.client() }));
  return async () => {
    const value = await provider().get(secretId, { maxAge: options.maxAgeSeconds });
    if (typeof value !== 'string') throw new SecretNotAStringError(secretId);
    return value;
  };
}
