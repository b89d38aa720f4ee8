import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { IotSigningCredentials } from '../../src/iot/index.js';

export const FIXED_DATE = new Date('2026-03-14T15:09:26Z');
export const HOST = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';

/** Long-term keys whose secret holds every character that needs care (`/`, `+`, `=`). */
export const longTermCredentials = (over: Partial<IotSigningCredentials> = {}): IotSigningCredentials => ({
  accessKeyId: 'AKIDEXAMPLE0000000001',
  secretAccessKey: 'wJalr/XUtnFEMI+K7MDENG/bPxRfiCY=EXAMPLEKEY',
  ...over,
});

/** Temporary credentials whose session token holds `/`, `+` and `=`. */
export const temporaryCredentials = (over: Partial<IotSigningCredentials> = {}): IotSigningCredentials => ({
  accessKeyId: 'ASIAEXAMPLE000000002',
  secretAccessKey: 'tmp/Secret+Key=With/Specials',
  sessionToken: 'IQoJb3JpZ2luX2VjE/+bogus+token/with==padding=',
  ...over,
});

/**
 * An INDEPENDENT SigV4 presign (AWS's own signer, @smithy/signature-v4 with the pure-JS SHA-256), signing the
 * same request IoT Core expects: GET /mqtt, host only, empty payload, no session token in the signed query.
 */
export async function referencePresign(
  credentials: IotSigningCredentials,
  { host = HOST, region = REGION, expiresIn = 3600, date = FIXED_DATE, includeToken = false } = {},
): Promise<Record<string, string>> {
  const { sessionToken, ...longTerm } = credentials;
  const signer = new SignatureV4({
    credentials: includeToken ? credentials : longTerm,
    region,
    service: 'iotdevicegateway',
    sha256: Sha256,
  });
  const signed = await signer.presign(
    { method: 'GET', protocol: 'wss:', hostname: host, path: '/mqtt', headers: { host }, query: {} },
    { signingDate: date, expiresIn },
  );
  void sessionToken;
  return signed.query as Record<string, string>;
}

/** The query of a URL as ordered raw `[key, value]` pairs, values percent-decoded (no `+`-as-space). */
export function queryPairs(url: string): Array<[string, string]> {
  const query = url.slice(url.indexOf('?') + 1);
  return query.split('&').map((part) => {
    const eq = part.indexOf('=');
    return [decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))];
  });
}

export const rawQueryValue = (url: string, key: string): string | undefined =>
  url
    .slice(url.indexOf('?') + 1)
    .split('&')
    .find((p) => p.startsWith(`${key}=`))
    ?.slice(key.length + 1);
