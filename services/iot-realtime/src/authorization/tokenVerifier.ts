import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** How tokens are verified: an HS256 shared secret, or the signing keys an identity provider publishes. */
export interface TokenVerifierOptions {
  /** HS256 shared secret (at least 32 characters). */
  secret?: string;
  /** The identity provider's JWKS URL (asymmetric algorithms only). */
  jwksUrl?: string;
  /** A key set in hand (tests, or keys fetched another way). */
  keys?: JWTVerifyGetKey;
  issuer?: string;
  audience?: string;
  /** Seconds of clock skew tolerated on `exp`/`nbf`. */
  clockToleranceSeconds?: number;
  /** For tests: the time tokens are checked against. */
  now?: () => Date;
}

/** A verified token: whose it is and until when. */
export interface VerifiedToken {
  subject: unknown;
  expiresAt: Date;
}

export class InvalidTokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidTokenError';
  }
}

/**
 * Builds the token check the authorizer runs: signature, algorithm, `exp` (required), `nbf`, and
 * issuer/audience when configured. Only HS256 is accepted with a secret; only asymmetric algorithms
 * with a JWKS, so a public key can never be used as an HMAC secret.
 *
 * @example
 * const verify = createTokenVerifier({ secret: process.env.JWT_SECRET! });
 * const { subject, expiresAt } = await verify(token);
 */
export function createTokenVerifier(options: TokenVerifierOptions): (token: string) => Promise<VerifiedToken> {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.keys) {
    key = options.keys;
    algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];
  } else if (options.secret) {
    if (options.secret.length < 32) throw new Error('The JWT secret must be at least 32 characters');
    key = new TextEncoder().encode(options.secret);
    algorithms = ['HS256'];
  } else if (options.jwksUrl) {
    key = createRemoteJWKSet(new URL(options.jwksUrl));
    algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];
  } else {
    throw new Error('A JWT secret or a JWKS URL is required');
  }
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: options.clockToleranceSeconds ?? 5,
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.audience ? { audience: options.audience } : {}),
        ...(options.now ? { currentDate: options.now() } : {}),
      });
      return { subject: payload.sub, expiresAt: new Date((payload.exp as number) * 1000) };
    } catch (error) {
      throw new InvalidTokenError(error instanceof Error ? error.message : 'token rejected', { cause: error });
    }
  };
}
