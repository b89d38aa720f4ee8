import { ConfigurationError, type IotAction, type IotPolicyDocument } from '@blueprints/common';
import { evaluateIotPolicy } from '@blueprints/local-iot';
import { LocalSecretsManager } from '@blueprints/local-secrets-manager';
import { authorizeConnection } from '../src/authorization/authorizeConnection.js';
import { authorizerConfig } from '../src/authorization/authorizerConfig.js';
import type { IotAuthorizerEvent } from '../src/authorization/credentials.js';
import { AUTHORIZER_LIMITS, type IotAuthorizerResponse } from '../src/authorization/subjectPolicy.js';
import { createTokenVerifier } from '../src/authorization/tokenVerifier.js';
import {
  ACCOUNT_ID,
  authorizerEvent,
  NAMESPACE,
  NOW,
  OTHER_NAMESPACE,
  POLICY_VARIABLE,
  REGION,
  SENSOR_RULE_NAME,
  signToken,
  TEST_SECRET,
  unsignedToken,
} from './helpers/factories.js';

const ARN = `arn:aws:iot:${REGION}:${ACCOUNT_ID}`;
const policy = { region: REGION, accountId: ACCOUNT_ID, sensorRuleName: SENSOR_RULE_NAME, namespace: NAMESPACE };
/** Topic and client id prefixes of the test deployment. */
const T = NAMESPACE.topicPrefix;
const C = NAMESPACE.clientIdPrefix;
const verifyToken = createTokenVerifier({ secret: TEST_SECRET, now: () => NOW });
const authorize = (event: unknown) =>
  authorizeConnection(event as IotAuthorizerEvent, { verifyToken, policy, now: () => NOW });

const documentsOf = (response: IotAuthorizerResponse): IotPolicyDocument[] =>
  response.policyDocuments.map((d) => JSON.parse(d) as IotPolicyDocument);

/** Everything a subject's own policy must allow. */
const ownResources = (sub: string): Array<[IotAction, string, string]> => [
  ['iot:Connect', `${ARN}:client/${C}${sub}-tab1`, `${C}${sub}-tab1`],
  ['iot:Subscribe', `${ARN}:topicfilter/${T}/updates/user/${sub}`, `${C}${sub}-tab1`],
  ['iot:Receive', `${ARN}:topic/${T}/updates/user/${sub}`, `${C}${sub}-tab1`],
  ['iot:Publish', `${ARN}:topic/$aws/rules/${SENSOR_RULE_NAME}/${T}/updates/sensor/${sub}`, `${C}${sub}-tab1`],
];

/** Requests that reach beyond subject `alice`: other subjects, wildcards, broadcast and raw topics. */
const foreignRequests: Array<[IotAction, string, string]> = [
  ['iot:Connect', `${ARN}:client/${C}bob-1`, `${C}bob-1`],
  ['iot:Connect', `${ARN}:client/${C}user-1`, `${C}user-1`],
  ['iot:Connect', `${ARN}:client/${C}alice`, `${C}alice`],
  ['iot:Connect', `${ARN}:client/${C}alicebob-1`, `${C}alicebob-1`],
  ['iot:Subscribe', `${ARN}:topicfilter/${T}/updates/user/#`, `${C}alice-1`],
  ['iot:Subscribe', `${ARN}:topicfilter/${T}/updates/user/+`, `${C}alice-1`],
  ['iot:Subscribe', `${ARN}:topicfilter/${T}/updates/user/bob`, `${C}alice-1`],
  ['iot:Subscribe', `${ARN}:topicfilter/${T}/updates/user/alice/#`, `${C}alice-1`],
  ['iot:Subscribe', `${ARN}:topicfilter/#`, `${C}alice-1`],
  ['iot:Subscribe', `${ARN}:topicfilter/${T}/news`, `${C}alice-1`],
  ['iot:Subscribe', `${ARN}:topicfilter/$aws/events/presence/+/+`, `${C}alice-1`],
  ['iot:Receive', `${ARN}:topic/${T}/updates/user/bob`, `${C}alice-1`],
  ['iot:Receive', `${ARN}:topic/${T}/updates/user/alice/extra`, `${C}alice-1`],
  ['iot:Publish', `${ARN}:topic/${T}/updates/user/alice`, `${C}alice-1`],
  ['iot:Publish', `${ARN}:topic/${T}/updates/user/bob`, `${C}alice-1`],
  ['iot:Publish', `${ARN}:topic/${T}/updates/sensor/alice`, `${C}alice-1`],
  ['iot:Publish', `${ARN}:topic/$aws/rules/${SENSOR_RULE_NAME}/${T}/updates/sensor/bob`, `${C}alice-1`],
  ['iot:Publish', `${ARN}:topic/$aws/rules/${SENSOR_RULE_NAME}/${T}/updates/sensor/alice/x`, `${C}alice-1`],
  ['iot:Publish', `${ARN}:topic/$aws/rules/other_rule/${T}/updates/sensor/alice`, `${C}alice-1`],
  ['iot:Publish', `${ARN}:topic/${T}/news`, `${C}alice-1`],
  // The same names without the namespace, and in another deployment of the account.
  ['iot:Connect', `${ARN}:client/alice-1`, 'alice-1'],
  ['iot:Connect', `${ARN}:client/${OTHER_NAMESPACE.clientId('alice-1')}`, OTHER_NAMESPACE.clientId('alice-1')],
  ['iot:Subscribe', `${ARN}:topicfilter/updates/user/alice`, `${C}alice-1`],
  ['iot:Subscribe', `${ARN}:topicfilter/${OTHER_NAMESPACE.topic('updates/user/alice')}`, `${C}alice-1`],
  ['iot:Receive', `${ARN}:topic/${OTHER_NAMESPACE.topic('updates/user/alice')}`, `${C}alice-1`],
  ['iot:Publish', `${ARN}:topic/$aws/rules/${SENSOR_RULE_NAME}/updates/sensor/alice`, `${C}alice-1`],
  ['iot:RetainPublish', `${ARN}:topic/$aws/rules/${SENSOR_RULE_NAME}/${T}/updates/sensor/alice`, `${C}alice-1`],
];

/** Asserts the response grants exactly `sub`'s own resources and nothing in `foreignRequests`. */
function expectOnlyOwnResources(response: IotAuthorizerResponse, sub: string): void {
  expect(response.isAuthenticated).toBe(true);
  const documents = documentsOf(response);
  for (const [action, resource, clientId] of ownResources(sub)) {
    expect([action, resource, evaluateIotPolicy(documents, { action, resource, clientId })]).toEqual([
      action,
      resource,
      'allow',
    ]);
  }
  if (sub === 'alice') {
    for (const [action, resource, clientId] of foreignRequests) {
      expect([action, resource, evaluateIotPolicy(documents, { action, resource, clientId })]).toEqual([
        action,
        resource,
        'implicit-deny',
      ]);
    }
  }
  // Structurally: four Allow statements on exactly the subject's four resources.
  const statements = documents.flatMap((d) => (Array.isArray(d.Statement) ? d.Statement : [d.Statement]));
  expect(statements.map((s) => [s.Effect, s.Action, s.Resource])).toEqual(
    ownResources(sub).map(([action, resource]) => [
      'Allow',
      action,
      action === 'iot:Connect' ? `${ARN}:client/${C}${sub}-*` : resource,
    ]),
  );
}

function expectDenied(response: IotAuthorizerResponse): void {
  expect(response).toEqual({
    isAuthenticated: false,
    principalId: expect.stringMatching(AUTHORIZER_LIMITS.principalId),
    disconnectAfterInSeconds: 300,
    refreshAfterInSeconds: 300,
    policyDocuments: [],
  });
}

describe('Function: authorizeConnection()', () => {
  it('returns a policy scoped to the subject when the MQTT password is a valid JWT', async () => {
    // Prepare
    const event = authorizerEvent({ username: 'alice', password: await signToken({ sub: 'alice' }) });

    // Act
    const response = await authorize(event);

    // Assess
    expectOnlyOwnResources(response, 'alice');
    expect(response.principalId).toBe('alice');
    expect(response.disconnectAfterInSeconds).toBe(3600);
    expect(response.refreshAfterInSeconds).toBe(300);
  });

  it('keeps every response field within the limits IoT Core accepts', async () => {
    // Prepare
    const subjects = ['a', 'A_b_C', 'x'.repeat(64)];
    const lifetimes = [10, 299, 301, 3_599];

    // Act
    const responses = await Promise.all(
      subjects.flatMap((sub) =>
        lifetimes.map(async (lifetime) =>
          authorize(
            authorizerEvent({ password: await signToken({ sub, exp: Math.floor(NOW.getTime() / 1000) + lifetime }) }),
          ),
        ),
      ),
    );

    // Assess
    for (const response of responses) {
      expect(response.isAuthenticated).toBe(true);
      expect(response.principalId).toMatch(AUTHORIZER_LIMITS.principalId);
      expect(response.disconnectAfterInSeconds).toBeGreaterThanOrEqual(300);
      expect(response.disconnectAfterInSeconds).toBeLessThanOrEqual(86_400);
      expect(response.refreshAfterInSeconds).toBeGreaterThanOrEqual(300);
      expect(response.refreshAfterInSeconds).toBeLessThanOrEqual(86_400);
      expect(response.policyDocuments.length).toBeLessThanOrEqual(10);
      for (const document of response.policyDocuments) {
        expect(typeof document).toBe('string');
        expect(document.length).toBeLessThanOrEqual(2048);
      }
    }
  });

  it('accepts the token from the WebSocket query string or an Authorization header when there is no password', async () => {
    // Prepare
    const token = await signToken({ sub: 'alice' });
    const viaQuery = authorizerEvent({ queryString: `?x-amz-customauthorizer-name=jwt&token=${token}` });
    const viaHeader = authorizerEvent({ headers: { Authorization: `Bearer ${token}` } });

    // Act
    const responses = [await authorize(viaQuery), await authorize(viaHeader)];

    // Assess
    for (const response of responses) expectOnlyOwnResources(response, 'alice');
  });

  it('denies an expired JWT', async () => {
    // Prepare
    const event = authorizerEvent({ password: await signToken({ exp: Math.floor(NOW.getTime() / 1000) - 60 }) });

    // Act
    const response = await authorize(event);

    // Assess
    expectDenied(response);
  });

  it('denies a JWT signed with another secret, a tampered payload, alg none and other algorithms', async () => {
    // Prepare
    const valid = await signToken({ sub: 'alice' });
    const [header, , signature] = valid.split('.');
    const tamperedPayload = Buffer.from(
      JSON.stringify({ sub: 'bob', exp: Math.floor(NOW.getTime() / 1000) + 3600 }),
    ).toString('base64url');
    const tokens = [
      await signToken({ sub: 'alice' }, 'another-secret-that-is-long-enough-0123456789'),
      `${header}.${tamperedPayload}.${signature}`,
      unsignedToken({ sub: 'alice', exp: Math.floor(NOW.getTime() / 1000) + 3600 }),
      await signToken({ sub: 'alice' }, TEST_SECRET, 'HS512'),
      `${valid}x`,
      'not-a-jwt',
      'a.b.c',
    ];

    // Act
    const responses = await Promise.all(tokens.map((password) => authorize(authorizerEvent({ password }))));

    // Assess
    for (const response of responses) expectDenied(response);
  });

  it('denies a JWT without sub, exp or iat', async () => {
    // Prepare
    const { SignJWT } = await import('jose');
    const key = new TextEncoder().encode(TEST_SECRET);
    const iat = Math.floor(NOW.getTime() / 1000);
    const noSub = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60);
    const noExp = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(iat);
    const noIat = await signToken({ sub: 'alice', iat: null });

    // Act
    const responses = [
      await authorize(authorizerEvent({ password: await noSub.sign(key) })),
      await authorize(authorizerEvent({ password: await noExp.sign(key) })),
      await authorize(authorizerEvent({ password: noIat })),
    ];

    // Assess
    for (const response of responses) expectDenied(response);
  });

  const nowSeconds = Math.floor(NOW.getTime() / 1000);
  it.each([
    ['a lifetime exactly at the 3600 s cap', true, { iat: nowSeconds - 60, exp: nowSeconds + 3540 }],
    ['a lifetime one second over the cap', false, { iat: nowSeconds - 60, exp: nowSeconds + 3541 }],
    ['a 100-year lifetime', false, { iat: nowSeconds - 60, exp: nowSeconds + 100 * 365 * 86_400 }],
    ['iat within the 5 s clock tolerance', true, { iat: nowSeconds + 5, exp: nowSeconds + 600 }],
    ['iat 6 s in the future', false, { iat: nowSeconds + 6, exp: nowSeconds + 600 }],
    ['iat a day in the future', false, { iat: nowSeconds + 86_400, exp: nowSeconds + 87_000 }],
  ])('decides a token with %s: allowed %s', async (_name, allowed, claims) => {
    // Prepare
    const event = authorizerEvent({ password: await signToken(claims) });

    // Act
    const response = await authorize(event);

    // Assess
    if (allowed) expectOnlyOwnResources(response, 'alice');
    else expectDenied(response);
  });

  it('checks issuer and audience when they are configured, and only then', async () => {
    // Prepare
    const strict = createTokenVerifier({
      secret: TEST_SECRET,
      issuer: 'https://id.example.com/',
      audience: 'iot-realtime',
      now: () => NOW,
    });
    const authorizeStrictly = (token: string) =>
      authorizeConnection(authorizerEvent({ password: token }), { verifyToken: strict, policy, now: () => NOW });
    const right = await signToken({ iss: 'https://id.example.com/', aud: 'iot-realtime' });
    const tokens = [
      await signToken({ iss: 'https://evil.example.com/', aud: 'iot-realtime' }),
      await signToken({ iss: 'https://id.example.com/', aud: 'another-app' }),
      await signToken({ aud: 'iot-realtime' }),
      await signToken({ iss: 'https://id.example.com/' }),
    ];

    // Act
    const allowed = await authorizeStrictly(right);
    const denied = await Promise.all(tokens.map(authorizeStrictly));
    const lenient = await authorize(authorizerEvent({ password: tokens[0] as string }));

    // Assess
    expectOnlyOwnResources(allowed, 'alice');
    for (const response of denied) expectDenied(response);
    expect(lenient.isAuthenticated).toBe(true);
  });

  it('reads the signing secret only for well-formed HS256 tokens: junk costs no secret read', async () => {
    // Prepare
    let reads = 0;
    const counting = createTokenVerifier({
      secret: async () => {
        reads++;
        return TEST_SECRET;
      },
      now: () => NOW,
    });
    const junk = ['not-a-jwt', 'a.b.c', unsignedToken({ sub: 'alice' }), await signToken({}, TEST_SECRET, 'HS512')];
    const authorizeWith = (password: string) =>
      authorizeConnection(authorizerEvent({ password }), { verifyToken: counting, policy, now: () => NOW });

    // Act
    const denied = await Promise.all(junk.map(authorizeWith));
    const readsForJunk = reads;
    const allowed = await authorizeWith(await signToken());

    // Assess
    for (const response of denied) expectDenied(response);
    expect(readsForJunk).toBe(0);
    expect(allowed.isAuthenticated).toBe(true);
    expect(reads).toBe(1);
  });

  it('denies everyone, reporting a server fault, when the signing secret cannot be read', async () => {
    // Prepare
    const faults: boolean[] = [];
    const unreadable = createTokenVerifier({
      secret: async () => {
        throw new Error('ThrottlingException');
      },
      now: () => NOW,
    });
    const tooShort = createTokenVerifier({ secret: async () => 'short', now: () => NOW });
    const token = await signToken();

    // Act
    const responses = await Promise.all(
      [unreadable, tooShort].map((verify) =>
        authorizeConnection(authorizerEvent({ password: token }), {
          verifyToken: verify,
          policy,
          now: () => NOW,
          onDeny: (_reason, details) => faults.push(details.serverFault),
        }),
      ),
    );

    // Assess
    for (const response of responses) expectDenied(response);
    expect(faults).toEqual([true, true]);
  });

  it('denies missing, empty and malformed credentials and events without throwing', async () => {
    // Prepare
    const events: unknown[] = [
      authorizerEvent(),
      authorizerEvent({ password: '' }),
      authorizerEvent({ rawPassword: '' }),
      authorizerEvent({ password: '   ' }),
      authorizerEvent({ rawPassword: '%%%not-base64%%%' }),
      authorizerEvent({ rawPassword: 'abc' }),
      authorizerEvent({ rawPassword: Buffer.from([0xff, 0xfe, 0xfd]).toString('base64') }),
      authorizerEvent({ password: 'x'.repeat(10_240) }),
      authorizerEvent({ queryString: '?token=' }),
      authorizerEvent({ headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } }),
      { protocolData: { mqtt: { password: 12345 } } },
      { protocolData: null },
      {},
      null,
      undefined,
      'a string',
      42,
    ];

    // Act
    const responses = await Promise.all(events.map((event) => authorize(event)));

    // Assess
    for (const response of responses) expectDenied(response);
  });

  it.each([
    ['an IAM wildcard', '*'],
    ['a trailing IAM wildcard', 'alice*'],
    ['a single-character wildcard', 'al?ce'],
    ['a topic level', 'alice/bob'],
    ['an MQTT multi-level wildcard', 'alice/#'],
    ['an MQTT single-level wildcard', '+'],
    ['a hash', '#'],
    ['a policy variable', POLICY_VARIABLE],
    ['a policy escape', '$(*)'],
    ['the client id separator', 'alice-bob'],
    ['the anonymous prefix', 'user'],
    ['a 10 kB string', 'a'.repeat(10_240)],
    ['non-ASCII letters', 'ålice'],
    ['an emoji', 'al🙂ce'],
    ['a right-to-left override', 'alice\u202Eevil'],
    ['a NUL character', 'alice\u0000'],
    ['a space', 'alice bob'],
    ['an empty string', ''],
    ['a number', 42],
    ['an array', ['alice']],
    ['an object', { sub: 'alice' }],
  ])('denies a subject containing %s', async (_name, sub) => {
    // Prepare
    const event = authorizerEvent({ username: 'alice', password: await signToken({ sub }) });

    // Act
    const response = await authorize(event);

    // Assess
    expectDenied(response);
  });

  it.each([
    ['a wildcard', '*'],
    ['another user', 'bob'],
    ['MQTT wildcards', 'updates/user/#'],
    ['a policy variable', POLICY_VARIABLE],
    ['the authorizer suffix', 'alice?x-amz-customauthorizer-name=other'],
    ['a 10 kB string', 'u'.repeat(10_240)],
    ['unicode', 'ålice🙂'],
  ])('ignores a username containing %s: the policy is the token subject’s', async (_name, username) => {
    // Prepare
    const event = authorizerEvent({ username, password: await signToken({ sub: 'alice' }) });

    // Act
    const response = await authorize(event);

    // Assess
    expectOnlyOwnResources(response, 'alice');
  });

  it('still denies when the deny logger throws', async () => {
    // Prepare
    const event = authorizerEvent({ password: 'not-a-jwt' });

    // Act
    const response = await authorizeConnection(event, {
      verifyToken,
      policy,
      onDeny: () => {
        throw new Error('logger down');
      },
    });

    // Assess
    expectDenied(response);
  });
});

describe('Function: handler() (authorizer)', () => {
  it('verifies with the secret read from Secrets Manager and scopes the policy to the stack’s sensor rule', async () => {
    // Prepare
    const secretsManager = await LocalSecretsManager.start({ region: REGION, accountId: ACCOUNT_ID });
    const { arn } = secretsManager.createSecret('iot-realtime/test/jwt-secret', TEST_SECRET);
    Object.assign(process.env, {
      JWT_SECRET_ARN: arn,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: REGION,
      ACCOUNT_ID,
      SENSOR_RULE_NAME,
      IOT_NAMESPACE: NAMESPACE.topicPrefix,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const { handler } = await import('../src/handlers/authorizer.js');
    const token = await signToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 3600 });

    // Act
    const allowed = await handler(authorizerEvent({ password: token }));
    const denied = await handler(authorizerEvent({ password: await signToken({ sub: '#' }) }));
    await secretsManager.close();

    // Assess
    expect(allowed.isAuthenticated).toBe(true);
    expect(documentsOf(allowed)).toEqual([
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'iot:Connect', Resource: `${ARN}:client/iot-realtime_test_alice-*` },
          {
            Effect: 'Allow',
            Action: 'iot:Subscribe',
            Resource: `${ARN}:topicfilter/iot-realtime/test/updates/user/alice`,
          },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: `${ARN}:topic/iot-realtime/test/updates/user/alice` },
          {
            Effect: 'Allow',
            Action: 'iot:Publish',
            Resource: `${ARN}:topic/$aws/rules/${SENSOR_RULE_NAME}/iot-realtime/test/updates/sensor/alice`,
          },
        ],
      },
    ]);
    expectDenied(denied);
    expect(secretsManager.requestCount('GetSecretValue')).toBe(1);
  });
});

describe('Function: authorizerConfig()', () => {
  const base = {
    AWS_REGION: REGION,
    ACCOUNT_ID,
    SENSOR_RULE_NAME,
    IOT_NAMESPACE: 'iot-realtime/test',
    JWT_SECRET_ARN: 'arn:aws:secretsmanager:x',
  };

  it('reads the documented defaults', () => {
    // Act
    const config = authorizerConfig(base);

    // Assess
    expect(config).toMatchObject({
      secretId: base.JWT_SECRET_ARN,
      secretMaxAgeSeconds: 300,
      maxLifetimeSeconds: 3600,
      clockToleranceSeconds: 5,
      secretRead: { budgetMs: 2500, maxAttempts: 2 },
    });
  });

  it.each([
    ['no secret ARN and no JWKS URL', { JWT_SECRET_ARN: '' }, /JWT_SECRET_ARN is required/],
    ['a secret read budget that leaves no time to verify', { SECRET_READ_BUDGET_MS: '4500' }, /SECRET_READ_BUDGET_MS/],
    ['a lifetime cap beyond a day', { JWT_MAX_LIFETIME_SECONDS: '90000' }, /JWT_MAX_LIFETIME_SECONDS/],
    ['a cache age of zero', { JWT_SECRET_MAX_AGE_SECONDS: '0' }, /JWT_SECRET_MAX_AGE_SECONDS/],
  ])('throws a ConfigurationError for %s', (_name, overrides, message) => {
    // Act
    const read = () => authorizerConfig({ ...base, ...overrides });

    // Assess
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(message);
  });
});
