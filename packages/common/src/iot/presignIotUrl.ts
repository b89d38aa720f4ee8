import { InvalidPresignInputError } from './errors.js';
import {
  amzDate,
  IOT_SIGNING_SERVICE,
  MAX_PRESIGN_EXPIRES_SECONDS,
  rfc3986Encode,
  SIGV4_ALGORITHM,
  sigv4Signature,
} from './sigv4.js';

/** AWS credentials as the SDK hands them out (`sessionToken` for temporary credentials, e.g. a Lambda role's). */
export interface IotSigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface PresignIotUrlOptions {
  /** The account's `iot:Data-ATS` endpoint, e.g. `abc123-ats.iot.us-east-1.amazonaws.com` (a `host:port` for a local gateway). */
  host: string;
  region: string;
  credentials: IotSigningCredentials;
  /** Seconds the URL may be used to connect (1..604800, default 3600). An open connection outlives it. */
  expiresIn?: number;
  /** Signing time; fixes the URL for a given input (default: now). */
  now?: Date;
  /** `wss` (default) for IoT Core; `ws` for a local plain-text gateway. */
  scheme?: 'wss' | 'ws';
}

export const DEFAULT_PRESIGN_EXPIRES_SECONDS = 3600;

const HOST_PATTERN = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z0-9]+)+-\d+$|^[a-z0-9-]+$/;

/**
 * Presigns an MQTT-over-WebSocket URL for AWS IoT Core (SigV4, service `iotdevicegateway`, `GET /mqtt`,
 * only `host` signed, empty payload). A session token is appended AFTER `X-Amz-Signature` and is not part of the
 * signed query: IoT Core rejects URLs whose signature covers the token.
 *
 * @example
 * const url = presignIotUrl({
 *   host: 'abc123-ats.iot.us-east-1.amazonaws.com',
 *   region: 'us-east-1',
 *   credentials: { accessKeyId: 'AKIA...', secretAccessKey: '...', sessionToken: '...' },
 *   expiresIn: 900,
 * });
 * // wss://abc123-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&...&X-Amz-Signature=...&X-Amz-Security-Token=...
 */
export function presignIotUrl(options: PresignIotUrlOptions): string {
  const { host, region, credentials } = options;
  const expiresIn = options.expiresIn ?? DEFAULT_PRESIGN_EXPIRES_SECONDS;
  const now = options.now ?? new Date();
  const scheme = options.scheme ?? 'wss';
  if (typeof host !== 'string' || host.trim() === '') throw new InvalidPresignInputError('host is required');
  if (!HOST_PATTERN.test(host)) {
    throw new InvalidPresignInputError(`host must be a bare host name (optionally with :port), got "${host}"`);
  }
  if (typeof region !== 'string' || region === '') throw new InvalidPresignInputError('region is required');
  if (!REGION_PATTERN.test(region)) throw new InvalidPresignInputError(`region "${region}" is not a region name`);
  if (!credentials || typeof credentials !== 'object') throw new InvalidPresignInputError('credentials are required');
  if (typeof credentials.accessKeyId !== 'string' || credentials.accessKeyId === '') {
    throw new InvalidPresignInputError('credentials.accessKeyId is required');
  }
  if (typeof credentials.secretAccessKey !== 'string' || credentials.secretAccessKey === '') {
    throw new InvalidPresignInputError('credentials.secretAccessKey is required');
  }
  if (
    credentials.sessionToken !== undefined &&
    (typeof credentials.sessionToken !== 'string' || credentials.sessionToken === '')
  ) {
    throw new InvalidPresignInputError('credentials.sessionToken, when given, must be a non-empty string');
  }
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_EXPIRES_SECONDS) {
    throw new InvalidPresignInputError(
      `expiresIn must be a whole number of seconds in 1..${MAX_PRESIGN_EXPIRES_SECONDS}, got ${expiresIn}`,
    );
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new InvalidPresignInputError('now must be a valid Date');
  if (scheme !== 'wss' && scheme !== 'ws')
    throw new InvalidPresignInputError(`scheme must be wss or ws, got ${scheme}`);

  const date = amzDate(now);
  const query: Array<[string, string]> = [
    ['X-Amz-Algorithm', SIGV4_ALGORITHM],
    [
      'X-Amz-Credential',
      `${credentials.accessKeyId}/${date.slice(0, 8)}/${region}/${IOT_SIGNING_SERVICE}/aws4_request`,
    ],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(expiresIn)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const signature = sigv4Signature({
    host,
    path: '/mqtt',
    query,
    secretAccessKey: credentials.secretAccessKey,
    region,
    service: IOT_SIGNING_SERVICE,
    date,
  });
  const signed = `${query.map(([k, v]) => `${k}=${rfc3986Encode(v)}`).join('&')}&X-Amz-Signature=${signature}`;
  const token = credentials.sessionToken ? `&X-Amz-Security-Token=${rfc3986Encode(credentials.sessionToken)}` : '';
  return `${scheme}://${host}/mqtt?${signed}${token}`;
}
