import { evaluateIotPolicy } from '@blueprints/local-iot';
import {
  assertSafeIotIdentity,
  escapeIotPolicyResource,
  InvalidIotPolicyError,
  type IotAction,
  IotPolicyBuilder,
  type IotPolicyDocument,
  iotPolicyResource,
  UnsafeIotIdentityError,
} from '../../src/iot/index.js';
import { ACCOUNT, REGION } from './factories.js';

const arn = (kind: string, name: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:${kind}/${name}`;
const builder = () => new IotPolicyBuilder({ region: REGION, accountId: ACCOUNT });
const doc = (...Statement: IotPolicyDocument['Statement'][]) =>
  ({ Version: '2012-10-17', Statement: Statement.flat() }) as IotPolicyDocument;

describe('Class: IotPolicyBuilder', () => {
  it('builds statements with the resource kind each action needs', () => {
    // Act
    const policy = builder()
      .allowConnect(['user-*'])
      .allowSubscribe(['news', 'updates/+'])
      .allowReceive(['news'])
      .allowPublish(['$aws/rules/sensor/*'])
      .allowRetainPublish(['news'])
      .denyPublish(['news'])
      .build();

    // Assess
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', 'user-*') },
        {
          Effect: 'Allow',
          Action: 'iot:Subscribe',
          Resource: [arn('topicfilter', 'news'), arn('topicfilter', 'updates/+')],
        },
        { Effect: 'Allow', Action: 'iot:Receive', Resource: arn('topic', 'news') },
        { Effect: 'Allow', Action: 'iot:Publish', Resource: arn('topic', '$aws/rules/sensor/*') },
        { Effect: 'Allow', Action: 'iot:RetainPublish', Resource: arn('topic', 'news') },
        { Effect: 'Deny', Action: 'iot:Publish', Resource: arn('topic', 'news') },
      ],
    });
  });

  it('uses the partition it is given', () => {
    // Act
    const policy = new IotPolicyBuilder({ region: 'cn-north-1', accountId: ACCOUNT, partition: 'aws-cn' })
      .denyConnect(['x'])
      .denySubscribe(['y'])
      .denyReceive(['z'])
      .denyRetainPublish(['w'])
      .build();

    // Assess
    expect(JSON.stringify(policy)).toContain(`arn:aws-cn:iot:cn-north-1:${ACCOUNT}:client/x`);
    expect((policy.Statement as unknown[]).length).toBe(4);
  });

  it.each([
    ['an empty policy', () => builder().build()],
    ['an empty resource list', () => builder().allowConnect([])],
    ['an empty resource', () => builder().allowConnect([''])],
    ['a bad account id', () => new IotPolicyBuilder({ region: REGION, accountId: '123' })],
  ])('throws InvalidIotPolicyError for %s', (_, act) => {
    // Act / Assess
    expect(act).toThrow(InvalidIotPolicyError);
  });
});

describe('Function: evaluateIotPolicy()', () => {
  const request = (action: IotAction, kind: string, name: string, clientId = 'user-1', variables = {}) => ({
    action,
    resource: arn(kind, name),
    clientId,
    variables,
  });

  it.each<[string, IotPolicyDocument[], ReturnType<typeof request>, string]>([
    [
      'an exact resource',
      [builder().allowSubscribe(['news']).build()],
      request('iot:Subscribe', 'topicfilter', 'news'),
      'allow',
    ],
    [
      'another resource',
      [builder().allowSubscribe(['news']).build()],
      request('iot:Subscribe', 'topicfilter', 'news2'),
      'implicit-deny',
    ],
    [
      'another action',
      [builder().allowSubscribe(['news']).build()],
      request('iot:Publish', 'topic', 'news'),
      'implicit-deny',
    ],
    [
      'a topic where a topicfilter is allowed',
      [builder().allowSubscribe(['news']).build()],
      request('iot:Receive', 'topic', 'news'),
      'implicit-deny',
    ],
    ['* across levels', [builder().allowReceive(['a/*']).build()], request('iot:Receive', 'topic', 'a/b/c'), 'allow'],
    [
      '* matching nothing',
      [builder().allowConnect(['user-*']).build()],
      request('iot:Connect', 'client', 'user-'),
      'allow',
    ],
    [
      '? as one character',
      [builder().allowConnect(['user-?']).build()],
      request('iot:Connect', 'client', 'user-12'),
      'implicit-deny',
    ],
    [
      '? matching one code point',
      [builder().allowConnect(['user-?']).build()],
      request('iot:Connect', 'client', 'user-😀'),
      'allow',
    ],
    [
      '+ literally (not an MQTT wildcard)',
      [builder().allowSubscribe(['a/+']).build()],
      request('iot:Subscribe', 'topicfilter', 'a/b'),
      'implicit-deny',
    ],
    [
      '+ matching a literal +',
      [builder().allowSubscribe(['a/+']).build()],
      request('iot:Subscribe', 'topicfilter', 'a/+'),
      'allow',
    ],
    [
      '# literally',
      [builder().allowSubscribe(['a/#']).build()],
      request('iot:Subscribe', 'topicfilter', 'a/b/c'),
      'implicit-deny',
    ],
    [
      '$(*) as a literal star',
      [builder().allowReceive(['a$(*)']).build()],
      request('iot:Receive', 'topic', 'ab'),
      'implicit-deny',
    ],
    [
      '$(*) matching a star',
      [builder().allowReceive(['a$(*)$(?)$($)']).build()],
      request('iot:Receive', 'topic', 'a*?$'),
      'allow',
    ],
    [
      '${iot:ClientId}',
      [builder().allowReceive(['c/${iot:ClientId}']).build()],
      request('iot:Receive', 'topic', 'c/user-1'),
      'allow',
    ],
    [
      '${iot:ClientId} of another client',
      [builder().allowReceive(['c/${iot:ClientId}']).build()],
      request('iot:Receive', 'topic', 'c/user-2'),
      'implicit-deny',
    ],
    [
      'a wildcard inside a client id variable value',
      [builder().allowReceive(['c/${iot:ClientId}']).build()],
      request('iot:Receive', 'topic', 'c/anything', '*'),
      'implicit-deny',
    ],
    [
      'an unresolved thing name',
      [builder().allowReceive(['t/${iot:Connection.Thing.ThingName}']).build()],
      request('iot:Receive', 'topic', 't/'),
      'implicit-deny',
    ],
    [
      'a resolved thing name',
      [builder().allowReceive(['t/${iot:Connection.Thing.ThingName}']).build()],
      request('iot:Receive', 'topic', 't/lamp', 'c', { 'iot:Connection.Thing.ThingName': 'lamp' }),
      'allow',
    ],
    [
      'Deny over Allow',
      [builder().allowReceive(['*']).build(), builder().denyReceive(['secret']).build()],
      request('iot:Receive', 'topic', 'secret'),
      'explicit-deny',
    ],
    [
      'Deny on another topic',
      [builder().allowReceive(['*']).denyReceive(['secret']).build()],
      request('iot:Receive', 'topic', 'public'),
      'allow',
    ],
    [
      'iot:* actions',
      [doc({ Effect: 'Allow', Action: 'iot:*', Resource: '*' })],
      request('iot:Connect', 'client', 'x'),
      'allow',
    ],
    [
      'case-insensitive actions',
      [doc({ Effect: 'Allow', Action: ['IOT:publish'], Resource: ['*'] })],
      request('iot:Publish', 'topic', 'x'),
      'allow',
    ],
    [
      'case-sensitive resources',
      [builder().allowReceive(['News']).build()],
      request('iot:Receive', 'topic', 'news'),
      'implicit-deny',
    ],
    [
      'NotAction',
      [doc({ Effect: 'Allow', NotAction: 'iot:Publish', Resource: '*' })],
      request('iot:Publish', 'topic', 'x'),
      'implicit-deny',
    ],
    [
      'NotAction allowing the rest',
      [doc({ Effect: 'Allow', NotAction: 'iot:Publish', Resource: '*' })],
      request('iot:Receive', 'topic', 'x'),
      'allow',
    ],
    [
      'NotResource',
      [
        doc(
          { Effect: 'Deny', Action: 'iot:*', NotResource: arn('topic', 'ok') },
          { Effect: 'Allow', Action: 'iot:*', Resource: '*' },
        ),
      ],
      request('iot:Publish', 'topic', 'other'),
      'explicit-deny',
    ],
    [
      'NotResource excluding',
      [
        doc(
          { Effect: 'Deny', Action: 'iot:*', NotResource: arn('topic', 'ok') },
          { Effect: 'Allow', Action: 'iot:*', Resource: '*' },
        ),
      ],
      request('iot:Publish', 'topic', 'ok'),
      'allow',
    ],
    [
      'an Allow with a Condition (fails closed)',
      [
        doc({
          Effect: 'Allow',
          Action: 'iot:*',
          Resource: '*',
          Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
        }),
      ],
      request('iot:Connect', 'client', 'x'),
      'implicit-deny',
    ],
    [
      'a Deny with a Condition (fails closed)',
      [
        doc(
          { Effect: 'Deny', Action: 'iot:Connect', Resource: '*', Condition: { Bool: { x: 'true' } } },
          { Effect: 'Allow', Action: 'iot:*', Resource: '*' },
        ),
      ],
      request('iot:Connect', 'client', 'x'),
      'explicit-deny',
    ],
    [
      'a single statement object',
      [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'iot:Connect', Resource: '*' } }],
      request('iot:Connect', 'client', 'x'),
      'allow',
    ],
    ['no documents', [], request('iot:Connect', 'client', 'x'), 'implicit-deny'],
  ])('decides %s', (_, documents, req, expected) => {
    // Act
    const decision = evaluateIotPolicy(documents, req);

    // Assess
    expect(decision).toBe(expected);
  });

  it('stays fast on long resources with many wildcards', () => {
    // Prepare
    const pattern = `${'*a'.repeat(200)}*b`;
    const policy = builder().allowReceive([pattern]).build();
    const started = Date.now();

    // Act
    const decision = evaluateIotPolicy([policy], request('iot:Receive', 'topic', 'a'.repeat(10_000)));

    // Assess
    expect(decision).toBe('implicit-deny');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('Function: escapeIotPolicyResource()', () => {
  it('escapes wildcards and the policy variable sigil', () => {
    // Act
    const escaped = escapeIotPolicyResource('a*b?c${iot:ClientId}$(*)');

    // Assess
    expect(escaped).toBe('a$(*)b$(?)c$($){iot:ClientId}$($)($(*))');
  });

  it('yields a resource that matches exactly the literal value', () => {
    // Prepare
    const value = '*?${iot:ClientId}$($)';
    const policy = builder()
      .allowConnect([escapeIotPolicyResource(value)])
      .build();

    // Act
    const decide = (clientId: string) =>
      evaluateIotPolicy([policy], { action: 'iot:Connect', resource: arn('client', clientId), clientId });

    // Assess
    expect(decide(value)).toBe('allow');
    expect(decide('anything')).toBe('implicit-deny');
    expect(decide('**${iot:ClientId}$($)')).toBe('implicit-deny');
  });

  it('throws UnsafeIotIdentityError for NUL', () => {
    // Act / Assess
    expect(() => escapeIotPolicyResource('a\u0000b')).toThrow(UnsafeIotIdentityError);
  });
});

describe('Function: assertSafeIotIdentity()', () => {
  it.each(['alice', 'user_42', 'Zoë', '東京', 'e2c1b7e0-9c4f-4b7e-8c1d-3f2a1b0c9d8e', 'a.b@example.com'])(
    'accepts %s',
    (identity) => {
      // Act / Assess
      expect(assertSafeIotIdentity(identity)).toBe(identity);
    },
  );

  it.each([
    ['empty', ''],
    ['a policy wildcard *', 'a*'],
    ['a policy wildcard ?', 'a?'],
    ['a level separator', 'alice/../bob'],
    ['an MQTT + wildcard', '+'],
    ['an MQTT # wildcard', '#'],
    ['a policy variable', '${iot:ClientId}'],
    ['an escape sequence', '$(*)'],
    ['NUL', 'a\u0000'],
    ['a control character', 'a\nb'],
    ['a lone surrogate', 'a\ud800'],
    ['129 bytes', 'a'.repeat(129)],
    ['10 kB', 'x'.repeat(10_240)],
    ['a non-string', 42],
  ])('refuses %s', (_, identity) => {
    // Act / Assess
    expect(() => assertSafeIotIdentity(identity)).toThrow(UnsafeIotIdentityError);
  });

  it('refuses extra separators when asked', () => {
    // Act / Assess
    expect(() => assertSafeIotIdentity('a_b', { alsoForbid: '_' })).toThrow(/separator/);
  });
});

describe('Function: iotPolicyResource()', () => {
  it('checks and escapes the interpolated values only', () => {
    // Act
    const resource = iotPolicyResource`updates/user/${'alice'}/*`;

    // Assess
    expect(resource).toBe('updates/user/alice/*');
    expect(() => iotPolicyResource`updates/user/${'*'}`).toThrow(UnsafeIotIdentityError);
  });
});
