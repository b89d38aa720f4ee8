import {
  assertSafeIotIdentity,
  escapeIotPolicyResource,
  InvalidIotPolicyError,
  IotPolicyBuilder,
  type IotPolicyDocument,
  iotPolicyResource,
  UnsafeIotIdentityError,
} from '../../src/iot/index.js';
import { ACCOUNT, REGION } from './factories.js';

const arn = (kind: string, name: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:${kind}/${name}`;
const builder = () => new IotPolicyBuilder({ region: REGION, accountId: ACCOUNT });
const _doc = (...Statement: IotPolicyDocument['Statement'][]) =>
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

describe('Function: escapeIotPolicyResource()', () => {
  it('escapes wildcards and the policy variable sigil', () => {
    // Act
    const escaped = escapeIotPolicyResource('a*b?c${iot:ClientId}$(*)');

    // Assess
    expect(escaped).toBe('a$(*)b$(?)c$($){iot:ClientId}$($)($(*))');
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
