import {
  escapeIotPolicyResource,
  type IotAction,
  IotNamespace,
  IotPolicyBuilder,
  type IotPolicyDocument,
} from '@blueprints/common';
import { evaluateIotPolicy } from '../src/index.js';
import { ACCOUNT, REGION } from './factories.js';

// The policies are built by @blueprints/common (what the deployed authorizers return); the evaluator is
// the local gateway's, so these tests also check that the two read the IoT policy language alike.
const arn = (kind: string, name: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:${kind}/${name}`;
const builder = () => new IotPolicyBuilder({ region: REGION, accountId: ACCOUNT });
const doc = (...Statement: IotPolicyDocument['Statement'][]) =>
  ({ Version: '2012-10-17', Statement: Statement.flat() }) as IotPolicyDocument;

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

describe('Function: evaluateIotPolicy() on escaped resources', () => {
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
});

describe('Function: evaluateIotPolicy() on a namespaced policy', () => {
  it('allows nothing of another stage', () => {
    // Prepare
    const dev = new IotNamespace('shop-events', 'dev');
    const policy = new IotPolicyBuilder({ region: REGION, accountId: ACCOUNT, namespace: dev })
      .allowConnect(['user-*'])
      .allowSubscribe(['news'])
      .allowReceive(['news'])
      .build();

    // Act
    const decide = (action: IotAction, resource: string) =>
      evaluateIotPolicy([policy], { action, resource, clientId: 'shop-events_dev_user-1' });

    // Assess
    expect(decide('iot:Connect', arn('client', 'shop-events_qa_user-1'))).toBe('implicit-deny');
    expect(decide('iot:Subscribe', arn('topicfilter', 'shop-events/qa/news'))).toBe('implicit-deny');
    expect(decide('iot:Receive', arn('topic', 'news'))).toBe('implicit-deny');
    expect(decide('iot:Receive', arn('topic', 'shop-events/dev/news'))).toBe('allow');
  });
});
