import { verifyPresignedIotUrl } from '@blueprints/local-iot';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { anonymousConnection, credentialsFromEnvironment } from '../src/access/anonymousAccess.js';
import { NAMESPACE, NOW, REGION } from './helpers/factories.js';

const HOST = 'abc123-ats.iot.us-east-1.amazonaws.com';
const ROLE_CREDENTIALS = {
  accessKeyId: 'ASIAPRESIGNROLE00001',
  secretAccessKey: 'presign-role-secret-key',
  sessionToken: 'presign-role-session-token/with+special=chars',
};
/** What presign passes for a 15-minute URL in the test deployment. */
const OPTIONS = {
  host: HOST,
  region: REGION,
  credentials: ROLE_CREDENTIALS,
  expiresInSeconds: 900,
  now: NOW,
  namespace: NAMESPACE,
};

describe('Function: anonymousConnection()', () => {
  it('returns a URL signed with the given credentials, the anonymous client id prefix and its expiry', () => {
    // Prepare
    const options = { ...OPTIONS };

    // Act
    const connection = anonymousConnection(options);

    // Assess
    expect(connection.clientIdPrefix).toBe('iot-realtime_test_user-');
    expect(connection.topicPrefix).toBe('iot-realtime/test');
    expect(connection.expiresAt).toBe('2026-01-01T00:15:00.000Z');
    expect(connection.url.startsWith(`wss://${HOST}/mqtt?`)).toBe(true);
    const verified = verifyPresignedIotUrl(connection.url, {
      credentials: [ROLE_CREDENTIALS],
      region: REGION,
      now: NOW,
    });
    expect(verified.expiresAt.toISOString()).toBe(connection.expiresAt);
    expect(new URL(connection.url).searchParams.get('X-Amz-Security-Token')).toBe(ROLE_CREDENTIALS.sessionToken);
  });

  it('signs a URL that other credentials cannot have produced', () => {
    // Prepare
    const connection = anonymousConnection(OPTIONS);

    // Act
    const verify = () =>
      verifyPresignedIotUrl(connection.url, {
        credentials: [{ ...ROLE_CREDENTIALS, secretAccessKey: 'another-secret' }],
        region: REGION,
        now: NOW,
      });

    // Assess
    expect(verify).toThrow(/bad-signature/);
  });
});

describe('Function: credentialsFromEnvironment()', () => {
  it('returns the role credentials the Lambda runtime puts in the environment', () => {
    // Prepare
    const env = { AWS_ACCESS_KEY_ID: 'ASIA1', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' };

    // Act
    const credentials = credentialsFromEnvironment(env);

    // Assess
    expect(credentials).toEqual({ accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't' });
  });

  it('throws when the environment has no credentials', () => {
    // Prepare
    const env = {};

    // Act
    const read = () => credentialsFromEnvironment(env);

    // Assess
    expect(read).toThrow(/AWS_ACCESS_KEY_ID/);
  });
});

describe('Function: handler() (presign)', () => {
  it('returns { url, clientIdPrefix, topicPrefix, expiresAt } with headers that let a CDN cache it for a minute', async () => {
    // Prepare
    Object.assign(process.env, {
      IOT_ENDPOINT: HOST,
      AWS_REGION: REGION,
      URL_EXPIRES_IN: '900',
      CACHE_MAX_AGE: '60',
      AWS_ACCESS_KEY_ID: ROLE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROLE_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: ROLE_CREDENTIALS.sessionToken,
      IOT_NAMESPACE: NAMESPACE.topicPrefix,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const { handler } = await import('../src/handlers/presign.js');
    const before = Date.now();

    // Act
    const response = (await handler({})) as APIGatewayProxyStructuredResultV2;

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({
      'content-type': 'application/json',
      'cache-control': 'public, max-age=60, s-maxage=60',
      'access-control-allow-origin': '*',
    });
    const body = JSON.parse(String(response.body)) as { url: string; clientIdPrefix: string; expiresAt: string };
    expect(Object.keys(body).sort()).toEqual(['clientIdPrefix', 'expiresAt', 'topicPrefix', 'url']);
    expect(body.clientIdPrefix).toBe('iot-realtime_test_user-');
    const expiresAt = Date.parse(body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 900_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
    const verified = verifyPresignedIotUrl(body.url, { credentials: [ROLE_CREDENTIALS], region: REGION });
    expect(verified.accessKeyId).toBe(ROLE_CREDENTIALS.accessKeyId);
  });
});
