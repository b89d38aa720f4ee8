import { presignIotUrl } from '@blueprints/common';
import { InvalidPresignedUrlError, verifyPresignedIotUrl } from '../src/index.js';
import { FIXED_DATE, HOST, independentPresign, presignCredentials, REGION, temporaryCredentials } from './factories.js';

describe('Function: verifyPresignedIotUrl()', () => {
  const known = [presignCredentials, temporaryCredentials];
  const verify = (url: string, now = new Date(FIXED_DATE.getTime() + 1000)) =>
    verifyPresignedIotUrl(url, { credentials: known, region: REGION, now });
  const reason = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidPresignedUrlError);
      return (error as InvalidPresignedUrlError).reason;
    }
    return undefined;
  };

  it('accepts a URL signed by a known key and returns that key', () => {
    // Prepare
    const url = presignIotUrl({ host: HOST, region: REGION, credentials: temporaryCredentials, now: FIXED_DATE });

    // Act
    const result = verify(url);

    // Assess
    expect(result.accessKeyId).toBe(temporaryCredentials.accessKeyId);
    expect(result.expiresAt.toISOString()).toBe('2026-03-14T16:09:26.000Z');
  });

  it('accepts a URL presigned by the independent signer', async () => {
    // Prepare
    const query = await independentPresign(presignCredentials);
    const url = `wss://${HOST}/mqtt?${new URLSearchParams(query).toString()}`;

    // Act
    const result = verify(url);

    // Assess
    expect(result.accessKeyId).toBe(presignCredentials.accessKeyId);
  });

  it('refuses a URL whose signature covers the session token, as IoT Core does', async () => {
    // Prepare
    const query = await independentPresign(temporaryCredentials, { includeToken: true });
    const url = `wss://${HOST}/mqtt?${new URLSearchParams(query).toString()}`;

    // Act / Assess
    expect(reason(() => verify(url))).toBe('bad-signature');
  });

  it.each([
    ['a tampered expiry', (u: string) => u.replace('X-Amz-Expires=3600', 'X-Amz-Expires=3601'), 'bad-signature'],
    ['another host', (u: string) => u.replace(HOST, 'evil.example.com'), 'bad-signature'],
    [
      'a flipped signature digit',
      (u: string) => u.replace(/(X-Amz-Signature=)(.)/, (_, p, c) => p + (c === 'a' ? 'b' : 'a')),
      'bad-signature',
    ],
    ['a removed token', (u: string) => u.replace(/&X-Amz-Security-Token=[^&]*/, ''), 'token-mismatch'],
    ['a changed token', (u: string) => u.replace('X-Amz-Security-Token=', 'X-Amz-Security-Token=x'), 'token-mismatch'],
    ['a missing signature', (u: string) => u.replace(/X-Amz-Signature=[^&]*&/, ''), 'missing-parameter'],
    ['a duplicated parameter', (u: string) => `${u}&X-Amz-Expires=1`, 'malformed-parameter'],
    ['another path', (u: string) => u.replace('/mqtt?', '/other?'), 'malformed-url'],
  ])('refuses %s', (_, tamper, expected) => {
    // Prepare
    const url = presignIotUrl({ host: HOST, region: REGION, credentials: temporaryCredentials, now: FIXED_DATE });

    // Act / Assess
    expect(reason(() => verify(tamper(url)))).toBe(expected);
  });

  it('refuses an unknown key', () => {
    // Prepare
    const url = presignIotUrl({
      host: HOST,
      region: REGION,
      credentials: { ...presignCredentials, accessKeyId: 'AKIDSOMEONEELSE' },
      now: FIXED_DATE,
    });

    // Act / Assess
    expect(reason(() => verify(url))).toBe('unknown-key');
  });

  it('refuses a known key with the wrong secret', () => {
    // Prepare
    const url = presignIotUrl({
      host: HOST,
      region: REGION,
      credentials: { ...presignCredentials, secretAccessKey: 'guessed' },
      now: FIXED_DATE,
    });

    // Act / Assess
    expect(reason(() => verify(url))).toBe('bad-signature');
  });

  it('refuses a URL after its expiry and accepts it at the last second', () => {
    // Prepare
    const url = presignIotUrl({
      host: HOST,
      region: REGION,
      credentials: presignCredentials,
      now: FIXED_DATE,
      expiresIn: 60,
    });

    // Act / Assess
    expect(verify(url, new Date(FIXED_DATE.getTime() + 60_000)).accessKeyId).toBe(presignCredentials.accessKeyId);
    expect(reason(() => verify(url, new Date(FIXED_DATE.getTime() + 61_000)))).toBe('expired');
  });

  it('refuses a URL dated more than five minutes in the future', () => {
    // Prepare
    const url = presignIotUrl({ host: HOST, region: REGION, credentials: presignCredentials, now: FIXED_DATE });

    // Act / Assess
    expect(reason(() => verify(url, new Date(FIXED_DATE.getTime() - 301_000)))).toBe('future-date');
  });

  it('refuses a URL signed for another region or service', () => {
    // Prepare
    const url = presignIotUrl({ host: HOST, region: 'eu-west-1', credentials: presignCredentials, now: FIXED_DATE });
    const otherService = presignIotUrl({
      host: HOST,
      region: REGION,
      credentials: presignCredentials,
      now: FIXED_DATE,
    }).replace('iotdevicegateway', 'execute-api');

    // Act / Assess
    expect(reason(() => verify(url))).toBe('wrong-region');
    expect(reason(() => verify(otherService))).toBe('wrong-service');
  });
});
