import { InvalidPresignInputError, presignIotUrl } from '../../src/iot/index.js';
import {
  FIXED_DATE,
  HOST,
  longTermCredentials,
  queryPairs,
  REGION,
  rawQueryValue,
  referencePresign,
  temporaryCredentials,
} from './factories.js';

describe('Function: presignIotUrl()', () => {
  it('produces the same signature as an independent SigV4 signer for long-term credentials', async () => {
    // Prepare
    const credentials = longTermCredentials();
    const reference = await referencePresign(credentials, { expiresIn: 900 });

    // Act
    const url = presignIotUrl({ host: HOST, region: REGION, credentials, expiresIn: 900, now: FIXED_DATE });

    // Assess
    const query = Object.fromEntries(queryPairs(url));
    expect(url.startsWith(`wss://${HOST}/mqtt?`)).toBe(true);
    expect(query['X-Amz-Signature']).toBe(reference['X-Amz-Signature']);
    expect(query).toEqual({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `AKIDEXAMPLE0000000001/20260314/${REGION}/iotdevicegateway/aws4_request`,
      'X-Amz-Date': '20260314T150926Z',
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': reference['X-Amz-Signature'],
    });
  });

  it('signs without the session token and appends it after X-Amz-Signature', async () => {
    // Prepare
    const credentials = temporaryCredentials();
    const withoutToken = await referencePresign(credentials);
    const tokenSigned = await referencePresign(credentials, { includeToken: true });

    // Act
    const url = presignIotUrl({ host: HOST, region: REGION, credentials, now: FIXED_DATE });

    // Assess
    const pairs = queryPairs(url);
    const keys = pairs.map(([k]) => k);
    expect(keys.at(-1)).toBe('X-Amz-Security-Token');
    expect(keys.at(-2)).toBe('X-Amz-Signature');
    const query = Object.fromEntries(pairs);
    expect(query['X-Amz-Signature']).toBe(withoutToken['X-Amz-Signature']);
    expect(query['X-Amz-Signature']).not.toBe(tokenSigned['X-Amz-Signature']);
    expect(query['X-Amz-Security-Token']).toBe(credentials.sessionToken);
  });

  it('percent-encodes every part per RFC 3986', () => {
    // Prepare
    const credentials = temporaryCredentials({ sessionToken: "a/b+c=d e!'()*~_-." });

    // Act
    const url = presignIotUrl({ host: HOST, region: REGION, credentials, now: FIXED_DATE });

    // Assess
    expect(rawQueryValue(url, 'X-Amz-Credential')).toBe(
      `ASIAEXAMPLE000000002%2F20260314%2F${REGION}%2Fiotdevicegateway%2Faws4_request`,
    );
    expect(rawQueryValue(url, 'X-Amz-Security-Token')).toBe('a%2Fb%2Bc%3Dd%20e%21%27%28%29%2A~_-.');
    expect(url.slice(url.indexOf('?') + 1)).toMatch(/^[A-Za-z0-9\-_.~%=&]+$/);
  });

  it('returns the same URL for the same input when now is given', () => {
    // Prepare
    const input = { host: HOST, region: REGION, credentials: temporaryCredentials(), now: FIXED_DATE };

    // Act
    const [a, b] = [presignIotUrl(input), presignIotUrl({ ...input })];

    // Assess
    expect(a).toBe(b);
  });

  it('uses a default expiry of one hour and the ws scheme on request', () => {
    // Act
    const url = presignIotUrl({
      host: '127.0.0.1:8080',
      region: REGION,
      credentials: longTermCredentials(),
      now: FIXED_DATE,
      scheme: 'ws',
    });

    // Assess
    expect(url.startsWith('ws://127.0.0.1:8080/mqtt?')).toBe(true);
    expect(rawQueryValue(url, 'X-Amz-Expires')).toBe('3600');
  });

  it.each([
    ['a missing host', { host: '' }, /host is required/],
    ['a host with a scheme', { host: 'wss://x.example.com' }, /bare host name/],
    ['a missing region', { region: '' }, /region is required/],
    ['a missing access key', { credentials: { accessKeyId: '', secretAccessKey: 'x' } }, /accessKeyId/],
    ['a missing secret', { credentials: { accessKeyId: 'x', secretAccessKey: '' } }, /secretAccessKey/],
    ['missing credentials', { credentials: undefined }, /credentials are required/],
    [
      'an empty session token',
      { credentials: { accessKeyId: 'x', secretAccessKey: 'y', sessionToken: '' } },
      /sessionToken/,
    ],
    ['expiresIn 0', { expiresIn: 0 }, /expiresIn/],
    ['expiresIn above seven days', { expiresIn: 604801 }, /expiresIn/],
    ['a fractional expiresIn', { expiresIn: 1.5 }, /expiresIn/],
    ['an invalid date', { now: new Date('nope') }, /now/],
  ])('throws InvalidPresignInputError for %s', (_, override, message) => {
    // Prepare
    const input = { host: HOST, region: REGION, credentials: longTermCredentials(), now: FIXED_DATE, ...override };

    // Act
    const act = () => presignIotUrl(input as Parameters<typeof presignIotUrl>[0]);

    // Assess
    expect(act).toThrow(InvalidPresignInputError);
    expect(act).toThrow(message);
  });

  it('accepts the SigV4 bounds 1 and 604800 seconds', () => {
    // Act
    const urls = [1, 604800].map((expiresIn) =>
      presignIotUrl({ host: HOST, region: REGION, credentials: longTermCredentials(), now: FIXED_DATE, expiresIn }),
    );

    // Assess
    expect(urls.map((u) => rawQueryValue(u, 'X-Amz-Expires'))).toEqual(['1', '604800']);
  });
});
