import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** Where the HS256 secret comes from: a value, or a function that reads it (cached) from a secret store. */
export type SigningSecret = string | (() => Promise<string>);

/** How tokens are verified: an HS256 shared secret, or the signing keys an identity provider publishes. */
export interface TokenVerifierOptions {
  /** HS256 shared secret (at least 32 characters), or where to read it from on each verification. */
  secret?: SigningSecret;
  /** The identity provider's JWKS URL (asymmetric algorithms only). */
  jwksUrl?: string;
  /** A key set in hand (tests, or keys fetched another way). */
  keys?: JWTVerifyGetKey;
  issuer?: string;
  audience?: string;
  /** Longest accepted `exp - iat`, in seconds: a token minted to last longer is refused (default 3600). */
  maxLifetimeSeconds?: number;
  /** Seconds of clock skew tolerated on `exp`, `nbf` and a future `iat` (default 5). */
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

/** The signing secret could not be read or is unusable: a server-side problem, not the client's. */
export class SigningSecretUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningSecretUnavailableError';
  }
}

/** The shortest HS256 secret accepted: 256 bits of characters, as RFC 7518 asks for HS256 keys. */
export const MIN_SECRET_LENGTH = 32;
export const DEFAULT_MAX_LIFETIME_SECONDS = 3600;
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

function secretKey(secret: string): Uint8Array {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new SigningSecretUnavailableError(`The JWT secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return new TextEncoder().encode(secret);
}

/** The key (or key lookup) and algorithms a token is checked against. Only HS256 with a secret. */
function keyOf(options: TokenVerifierOptions): { key: JWTVerifyGetKey | Uint8Array; algorithms: string[] } {
  if (options.keys) return { key: options.keys, algorithms: ASYMMETRIC };
  if (typeof options.secret === 'string') return { key: secretKey(options.secret), algorithms: ['HS256'] };
  if (typeof options.secret === 'function') {
    const read = options.secret;
    const key = async () => {
      let secret: string;
      try {
        secret = await read();
      } catch (error) {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new SigningSecretUnavailableError(`The JWT secret could not be read (${reason})`, { cause: error });
      }
      if (typeof secret !== 'string') throw new SigningSecretUnavailableError('The JWT secret is not a string');
      return secretKey(secret);
    };
    return { key, algorithms: ['HS256'] };
  }
  if (options.jwksUrl) return { key: createRemoteJWKSet(new URL(options.jwksUrl)), algorithms: ASYMMETRIC };
  throw new Error('A JWT secret or a JWKS URL is required');
}

/**
 * Builds the token check the authorizer runs: signature, algorithm, `sub`, `exp` and `iat`
 * (all three required), `nbf`, a lifetime cap (`exp - iat` at most `maxLifetimeSeconds`), `iat`
 * not in the future beyond the clock tolerance, and issuer/audience when configured. Only HS256
 * is accepted with a secret; only asymmetric algorithms with a JWKS, so a public key can never be
 * used as an HMAC secret. A secret given as a function is read on every call (cache it there).
 *
 * @example
 * const verify = createTokenVerifier({ secret: () => getSecret(arn, { maxAge: 300 }), maxLifetimeSeconds: 3600 });
 * const { subject, expiresAt } = await verify(token);
 */
export function createTokenVerifier(options: TokenVerifierOptions): (token: string) => Promise<VerifiedToken> {
  const { key, algorithms } = keyOf(options);
  const tolerance = options.clockToleranceSeconds ?? 5;
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS;
  if (!Number.isFinite(maxLifetime) || maxLifetime <= 0) throw new Error('maxLifetimeSeconds must be positive');
  return async (token) => {
    try {
      const now = options.now?.() ?? new Date();
      // jose asks for a key only once the token is well-formed with an allowed algorithm, so junk
      // never costs a secret read.
      const { payload } = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: tolerance,
        currentDate: now,
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.audience ? { audience: options.audience } : {}),
      });
      const iat = payload.iat as number;
      const exp = payload.exp as number;
      if (iat > now.getTime() / 1000 + tolerance) throw new InvalidTokenError('"iat" is in the future');
      if (exp - iat > maxLifetime) {
        throw new InvalidTokenError(`token lifetime ${exp - iat} s is longer than the ${maxLifetime} s allowed`);
      }
      return { subject: payload.sub, expiresAt: new Date(exp * 1000) };
    } catch (error) {
      // An unreadable secret is the server's fault and must not read as a bad token.
      if (error instanceof InvalidTokenError || error instanceof SigningSecretUnavailableError) throw error;
      throw new InvalidTokenError(error instanceof Error ? error.message : 'token rejected', { cause: error });
    }
  };
}
