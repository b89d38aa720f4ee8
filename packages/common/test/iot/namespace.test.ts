import { InvalidIotPolicyError, IotNamespace, IotPolicyBuilder } from '../../src/iot/index.js';
import { ACCOUNT, REGION } from './factories.js';

const arn = (kind: string, name: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:${kind}/${name}`;

describe('Class: IotNamespace', () => {
  it('prefixes topics with <service>/<stage>/ and client ids with <service>_<stage>_', () => {
    // Prepare
    const ns = new IotNamespace('shop-events', 'dev');

    // Act & Assess
    expect(ns.topic('news')).toBe('shop-events/dev/news');
    expect(ns.topic('updates/user/+')).toBe('shop-events/dev/updates/user/+');
    expect(ns.clientId('user-1')).toBe('shop-events_dev_user-1');
    expect(ns.scopeTopic('$aws/rules/shop_events_dev_sensor/updates/sensor/alice')).toBe(
      '$aws/rules/shop_events_dev_sensor/shop-events/dev/updates/sensor/alice',
    );
  });

  it('reads IOT_NAMESPACE values and refuses malformed ones', () => {
    // Act & Assess
    expect(IotNamespace.parse('shop-events/qa').clientIdPrefix).toBe('shop-events_qa_');
    for (const bad of [undefined, '', 'shop-events', 'a/b/c', 'a_b/c', 'a/b c', '1a/b']) {
      expect(() => IotNamespace.parse(bad)).toThrow(InvalidIotPolicyError);
    }
  });

  it('never lets one deployment own another one’s names, even when the names share dashes', () => {
    // Prepare: joined with '-', both would own 'a-b-c-…'
    const first = new IotNamespace('a-b', 'c');
    const second = new IotNamespace('a', 'b-c');

    // Act & Assess
    expect(first.ownsClientId(second.clientId('x'))).toBe(false);
    expect(second.ownsClientId(first.clientId('x'))).toBe(false);
    expect(first.ownsTopic(second.topic('x'))).toBe(false);
    expect(second.ownsTopic(first.topic('x'))).toBe(false);
    expect(first.ownsTopic(first.scopeTopic('$aws/rules/r/x'))).toBe(true);
  });

  it('returns the local part of its own client ids only', () => {
    // Prepare
    const ns = new IotNamespace('shop-events', 'dev');

    // Act & Assess
    expect(ns.localClientId('shop-events_dev_alice-tab1')).toBe('alice-tab1');
    expect(() => ns.localClientId('shop-events_qa_alice-tab1')).toThrow(InvalidIotPolicyError);
    expect(() => ns.localClientId('shop-events_dev_')).toThrow(InvalidIotPolicyError);
    expect(() => ns.topic('$aws/events/presence/+/+')).toThrow(InvalidIotPolicyError);
  });
});

describe('Class: IotPolicyBuilder with a namespace', () => {
  it('scopes every resource to the deployment', () => {
    // Prepare
    const dev = new IotNamespace('shop-events', 'dev');
    const policy = new IotPolicyBuilder({ region: REGION, accountId: ACCOUNT, namespace: dev })
      .allowConnect(['user-*'])
      .allowSubscribe(['news'])
      .allowReceive(['news'])
      .allowPublish(['$aws/rules/sensor/updates/sensor/alice'])
      .build();

    // Act & Assess
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', 'shop-events_dev_user-*') },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('topicfilter', 'shop-events/dev/news') },
      { Effect: 'Allow', Action: 'iot:Receive', Resource: arn('topic', 'shop-events/dev/news') },
      {
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: arn('topic', '$aws/rules/sensor/shop-events/dev/updates/sensor/alice'),
      },
    ]);
  });
});
