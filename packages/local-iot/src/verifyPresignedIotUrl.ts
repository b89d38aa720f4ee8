import { timingSafeEqual } from 'node:crypto';
import {
  IOT_SIGNING_SERVICE,
  type IotSigningCredentials,
  MAX_PRESIGN_EXPIRES_SECONDS,
  SIGV4_ALGORITHM,
  sigv4Signature,
} from '@blueprints/common';
import { InvalidPresignedUrlError } from './presignedUrlErrors.js';

export interface VerifyPresignedIotUrlOptions {
  /** The credentials the verifier knows; a URL signed by any other key is refused. */
  credentials: IotSigningCredentials[];
  region: string;
  /** Verification time (default: now). */
  now?: Date;
  /** How far `X-Amz-Date` may lie in the future (default 300 s, as AWS allows). */
  maxClockSkewSeconds?: number;
}

export interface VerifiedPresignedIotUrl {
  accessKeyId: string;
  /** The credentials entry that signed the URL. */
  credentials: IotSigningCredentials;
  signedAt: Date;
  expiresAt: Date;
}

const URL_PATTERN = /^(wss?):\/\/([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$/;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function decodeComponent(value: string, name: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new InvalidPresignedUrlError('malformed-url', `query component "${name}" is not valid percent-encoding`);
  }
}

/**
 * Verifies a presigned IoT WebSocket URL the way IoT Core does: SigV4 over `GET /mqtt` with only `host` signed,
 * `X-Amz-Security-Token` excluded from the signed query (and required to match the signing credentials' token),
 * a known access key, not expired, not dated in the future.
 *
 * @example
 * const { accessKeyId } = verifyPresignedIotUrl(url, { credentials: [{ accessKeyId: 'local', secretAccessKey: 'local' }], region: 'us-east-1' });
 */
export function verifyPresignedIotUrl(url: string, options: VerifyPresignedIotUrlOptions): VerifiedPresignedIotUrl {
  const match = URL_PATTERN.exec(url);
  if (!match) throw new InvalidPresignedUrlError('malformed-url', 'not a ws:// or wss:// URL');
  const host = match[2] as string;
  const path = match[3] ?? '/';
  if (path !== '/mqtt') throw new InvalidPresignedUrlError('malformed-url', `path must be /mqtt, got ${path}`);

  const params = new Map<string, string>();
  const unsigned = new Set(['X-Amz-Signature', 'X-Amz-Security-Token']);
  const signedQuery: Array<[string, string]> = [];
  for (const part of (match[4] ?? '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeComponent(eq < 0 ? part : part.slice(0, eq), part);
    const value = decodeComponent(eq < 0 ? '' : part.slice(eq + 1), key);
    if (params.has(key)) throw new InvalidPresignedUrlError('malformed-parameter', `${key} appears more than once`);
    params.set(key, value);
    if (!unsigned.has(key)) signedQuery.push([key, value]);
  }
  const required = (name: string): string => {
    const value = params.get(name);
    if (value === undefined || value === '')
      throw new InvalidPresignedUrlError('missing-parameter', `${name} is missing`);
    return value;
  };
  const algorithm = required('X-Amz-Algorithm');
  const credential = required('X-Amz-Credential');
  const date = required('X-Amz-Date');
  const expires = required('X-Amz-Expires');
  const signedHeaders = required('X-Amz-SignedHeaders');
  const signature = required('X-Amz-Signature');
  const token = params.get('X-Amz-Security-Token');

  if (algorithm !== SIGV4_ALGORITHM) {
    throw new InvalidPresignedUrlError('unsupported-algorithm', `X-Amz-Algorithm must be ${SIGV4_ALGORITHM}`);
  }
  if (signedHeaders !== 'host') {
    throw new InvalidPresignedUrlError(
      'malformed-parameter',
      `X-Amz-SignedHeaders must be "host", got "${signedHeaders}"`,
    );
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    throw new InvalidPresignedUrlError(
      'malformed-parameter',
      'X-Amz-Credential is not KEY/DATE/REGION/SERVICE/aws4_request',
    );
  }
  const [accessKeyId, scopeDate, scopeRegion, scopeService] = scope as [string, string, string, string];
  if (scopeService !== IOT_SIGNING_SERVICE) {
    throw new InvalidPresignedUrlError('wrong-service', `signed for "${scopeService}", not ${IOT_SIGNING_SERVICE}`);
  }
  if (scopeRegion !== options.region) {
    throw new InvalidPresignedUrlError('wrong-region', `signed for region "${scopeRegion}", not ${options.region}`);
  }
  const dateParts = AMZ_DATE_PATTERN.exec(date);
  if (!dateParts || date.slice(0, 8) !== scopeDate) {
    throw new InvalidPresignedUrlError(
      'malformed-parameter',
      'X-Amz-Date is not YYYYMMDDTHHMMSSZ matching the credential scope',
    );
  }
  const [, y, mo, d, h, mi, s] = dateParts.map(Number) as number[];
  const signedAt = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  if (Number.isNaN(signedAt.getTime()))
    throw new InvalidPresignedUrlError('malformed-parameter', 'X-Amz-Date is invalid');
  if (!/^\d{1,6}$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_PRESIGN_EXPIRES_SECONDS) {
    throw new InvalidPresignedUrlError(
      'malformed-parameter',
      `X-Amz-Expires must be 1..${MAX_PRESIGN_EXPIRES_SECONDS}`,
    );
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    throw new InvalidPresignedUrlError('malformed-parameter', 'X-Amz-Signature is not 64 lowercase hex digits');
  }

  const known = options.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!known) throw new InvalidPresignedUrlError('unknown-key', `access key "${accessKeyId}" is not known`);

  const expected = sigv4Signature({
    host,
    path,
    query: signedQuery,
    secretAccessKey: known.secretAccessKey,
    region: scopeRegion,
    service: scopeService,
    date,
  });
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    throw new InvalidPresignedUrlError(
      'bad-signature',
      'the signature does not match (was the URL altered, or was X-Amz-Security-Token included in the signed query?)',
    );
  }
  if ((known.sessionToken ?? undefined) !== (token || undefined)) {
    throw new InvalidPresignedUrlError(
      'token-mismatch',
      known.sessionToken
        ? 'X-Amz-Security-Token is missing or wrong'
        : 'X-Amz-Security-Token given for long-term credentials',
    );
  }
  const now = options.now ?? new Date();
  const skew = (options.maxClockSkewSeconds ?? 300) * 1000;
  if (signedAt.getTime() - now.getTime() > skew) {
    throw new InvalidPresignedUrlError('future-date', `signed at ${signedAt.toISOString()}, which is in the future`);
  }
  const expiresAt = new Date(signedAt.getTime() + Number(expires) * 1000);
  if (now.getTime() > expiresAt.getTime()) {
    throw new InvalidPresignedUrlError('expired', `expired at ${expiresAt.toISOString()}`);
  }
  return { accessKeyId, credentials: known, signedAt, expiresAt };
}
