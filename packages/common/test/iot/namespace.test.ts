import { evaluateIotPolicy } from '@blueprints/local-iot';
import { InvalidIotPolicyError, IotNamespace, IotPolicyBuilder } from '../../src/iot/index.js';
import { ACCOUNT, REGION } from './factories.js';

const arn = (kind: string, name: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:${kind}/${name}`;

describe('Class: IotNamespace', () => {
  it('prefixes topics with <service>/<stage>/ and client ids with <service>_<stage>_', () => {
    // Prepare
    const ns = new IotNamespace('live-feed', 'dev');

    // Act & Assess
    expect(ns.topic('news')).toBe('live-feed/dev/news');
    expect(ns.topic('updates/user/+')).toBe('live-feed/dev/updates/user/+');
    expect(ns.clientId('user-1')).toBe('live-feed_dev_user-1');
    expect(ns.scopeTopic('$aws/rules/live_feed_dev_sensor/updates/sensor/alice')).toBe(
      '$aws/rules/live_feed_dev_sensor/live-feed/dev/updates/sensor/alice',
    );
  });

  it('reads IOT_NAMESPACE values and refuses malformed ones', () => {
    // Act & Assess
    expect(IotNamespace.parse('live-feed/qa').clientIdPrefix).toBe('live-feed_qa_');
    for (const bad of [undefined, '', 'live-feed', 'a/b/c', 'a_b/c', 'a/b c', '1a/b']) {
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
    const ns = new IotNamespace('live-feed', 'dev');

    // Act & Assess
    expect(ns.localClientId('live-feed_dev_alice-tab1')).toBe('alice-tab1');
    expect(() => ns.localClientId('live-feed_qa_alice-tab1')).toThrow(InvalidIotPolicyError);
    expect(() => ns.localClientId('live-feed_dev_')).toThrow(InvalidIotPolicyError);
    expect(() => ns.topic('$aws/events/presence/+/+')).toThrow(InvalidIotPolicyError);
  });
});

describe('Class: IotPolicyBuilder with a namespace', () => {
  it('scopes every resource to the deployment, so a policy of one stage allows nothing of another', () => {
    // Prepare
    const dev = new IotNamespace('live-feed', 'dev');
    const policy = new IotPolicyBuilder({ region: REGION, accountId: ACCOUNT, namespace: dev })
      .allowConnect(['user-*'])
      .allowSubscribe(['news'])
      .allowReceive(['news'])
      .allowPublish(['$aws/rules/sensor/updates/sensor/alice'])
      .build();
    const decide = (action: 'iot:Connect' | 'iot:Subscribe' | 'iot:Receive' | 'iot:Publish', resource: string) =>
      evaluateIotPolicy([policy], { action, resource, clientId: 'live-feed_dev_user-1' });

    // Act & Assess
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', 'live-feed_dev_user-*') },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('topicfilter', 'live-feed/dev/news') },
      { Effect: 'Allow', Action: 'iot:Receive', Resource: arn('topic', 'live-feed/dev/news') },
      {
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: arn('topic', '$aws/rules/sensor/live-feed/dev/updates/sensor/alice'),
      },
    ]);
    expect(decide('iot:Connect', arn('client', 'live-feed_qa_user-1'))).toBe('implicit-deny');
    expect(decide('iot:Subscribe', arn('topicfilter', 'live-feed/qa/news'))).toBe('implicit-deny');
    expect(decide('iot:Receive', arn('topic', 'news'))).toBe('implicit-deny');
    expect(decide('iot:Receive', arn('topic', 'live-feed/dev/news'))).toBe('allow');
  });
});
