import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** How long a Secrets Manager call may take: the authorizer has 5 s in all (IoT Core's cap). */
export interface SecretFetchLimits {
  /** TCP/TLS connect timeout per attempt, ms. */
  connectTimeoutMs: number;
  /** Time without a response per attempt, ms; the request is aborted, not only logged. */
  requestTimeoutMs: number;
  /** Attempts in all (1 = no retry). */
  maxAttempts: number;
}

/**
 * A Secrets Manager client whose timeouts abort the request. `@smithy/node-http-handler` 4.x only
 * logs a warning when `requestTimeout` passes unless `throwOnRequestTimeout` is set, which would
 * leave a stalled call hanging until the function times out. Worst case per secret read:
 * `maxAttempts × (connect + request timeout)` plus the SDK's retry backoff (≤ 100 ms for the first retry).
 *
 * @example
 * const client = secretsManagerClient({ connectTimeoutMs: 1000, requestTimeoutMs: 1500, maxAttempts: 2 });
 */
export function secretsManagerClient(limits: SecretFetchLimits): SecretsManagerClient {
  return new SecretsManagerClient({
    maxAttempts: limits.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: limits.connectTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
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
 * age, without a deploy. A failed read is not cached, so the next call tries again.
 *
 * @example
 * const readSecret = cachedSecretString(process.env.JWT_SECRET_ARN!, { maxAgeSeconds: 300, client });
 * const secret = await readSecret();
 */
export function cachedSecretString(
  secretId: string,
  options: { maxAgeSeconds: number; client: SecretsManagerClient },
): () => Promise<string> {
  const provider = new SecretsProvider({ awsSdkV3Client: options.client });
  return async () => {
    const value = await provider.get(secretId, { maxAge: options.maxAgeSeconds });
    if (typeof value !== 'string') throw new SecretNotAStringError(secretId);
    return value;
  };
}
