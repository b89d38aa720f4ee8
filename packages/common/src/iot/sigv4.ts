import { createHash, createHmac } from 'node:crypto';

/** SigV4 parameters that are fixed for IoT Core WebSocket URLs. */
export const IOT_SIGNING_SERVICE = 'iotdevicegateway';
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** SigV4 presigned URLs live at most seven days. */
export const MAX_PRESIGN_EXPIRES_SECONDS = 604_800;
/** Hex SHA-256 of the empty string: the payload hash of a WebSocket upgrade (`GET /mqtt`). */
export const EMPTY_PAYLOAD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Percent-encodes per RFC 3986 (unreserved `A-Z a-z 0-9 - _ . ~` stay), as SigV4 requires. */
export function rfc3986Encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `20260101T000000Z` */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

/** The canonical query string: every pair RFC 3986-encoded, sorted by encoded key then value. */
export function canonicalQuery(pairs: Array<[string, string]>): string {
  return pairs
    .map(([k, v]) => [rfc3986Encode(k), rfc3986Encode(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export interface SignatureInput {
  host: string;
  path: string;
  query: Array<[string, string]>;
  secretAccessKey: string;
  region: string;
  service: string;
  /** `YYYYMMDDTHHMMSSZ` */
  date: string;
}

/** The hex SigV4 signature of a `GET` request whose only signed header is `host` and whose payload is empty. */
export function sigv4Signature(input: SignatureInput): string {
  const dateStamp = input.date.slice(0, 8);
  const scope = `${dateStamp}/${input.region}/${input.service}/aws4_request`;
  const canonicalRequest = [
    'GET',
    input.path,
    canonicalQuery(input.query),
    `host:${input.host.trim()}\n`,
    'host',
    EMPTY_PAYLOAD_SHA256,
  ].join('\n');
  const stringToSign = [SIGV4_ALGORITHM, input.date, scope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${input.secretAccessKey}`, dateStamp);
  const kRegion = hmac(kDate, input.region);
  const kService = hmac(kRegion, input.service);
  const kSigning = hmac(kService, 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
}
