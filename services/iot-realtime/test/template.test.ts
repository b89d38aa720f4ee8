/** The packaged CloudFormation template: least-privilege roles and the IoT wiring the service relies on. */
import type { IotAction, IotPolicyStatement } from '@blueprints/common';
import { evaluateIotPolicy, iotPoliciesOfFunction } from '@blueprints/local-iot';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import { packagedResolver } from './helpers/packagedService.js';

let resolver: TemplateResolver;
const ARN = 'arn:aws:iot:us-east-1:000000000000';

beforeAll(async () => {
  resolver = await packagedResolver();
}, 200_000);

/** Every non-logs statement of a role, resolved. */
function statementsOf(roleLogicalId: string): IotPolicyStatement[] {
  const props = resolver.resolve(resolver.resource(roleLogicalId).Properties) as {
    Policies: Array<{ PolicyDocument: { Statement: IotPolicyStatement[] } }>;
  };
  return props.Policies.flatMap((p) => p.PolicyDocument.Statement).filter(
    (s) => ![s.Action].flat().every((a) => String(a).startsWith('logs:')),
  );
}

describe('Template: iot-realtime', () => {
  it('lets presigned URLs do exactly what anonymous clients may: connect user-*, subscribe and receive news', () => {
    // Prepare
    const policies = iotPoliciesOfFunction(resolver, 'PresignLambdaFunction');
    const decide = (action: IotAction, resource: string) =>
      evaluateIotPolicy(policies, { action, resource: `${ARN}:${resource}`, clientId: 'iot-realtime_dev_user-1' });

    // Act
    const statements = statementsOf('PresignRole');

    // Assess
    expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
      ['iot:Connect', `${ARN}:client/iot-realtime_dev_user-*`],
      ['iot:Subscribe', `${ARN}:topicfilter/iot-realtime/dev/news`],
      ['iot:Receive', `${ARN}:topic/iot-realtime/dev/news`],
    ]);
    expect(decide('iot:Connect', 'client/iot-realtime_dev_user-abc')).toBe('allow');
    expect(decide('iot:Connect', 'client/user-abc')).toBe('implicit-deny');
    expect(decide('iot:Connect', 'client/iot-realtime_qa_user-abc')).toBe('implicit-deny');
    expect(decide('iot:Connect', 'client/iot-realtime_dev_alice-1')).toBe('implicit-deny');
    expect(decide('iot:Publish', 'topic/iot-realtime/dev/news')).toBe('implicit-deny');
    expect(decide('iot:Subscribe', 'topicfilter/#')).toBe('implicit-deny');
    expect(decide('iot:Subscribe', 'topicfilter/news')).toBe('implicit-deny');
    expect(decide('iot:Receive', 'topic/iot-realtime/dev/updates/user/alice')).toBe('implicit-deny');
  });

  it('gives every other function only its own permissions', () => {
    // Prepare
    const roles = ['SensorConsumerRole', 'BroadcastRole', 'PresenceRole', 'EndpointLookupRole', 'AuthorizerRole'];

    // Act
    const granted = Object.fromEntries(
      roles.map((role) => [role, statementsOf(role).map((s) => [[s.Action].flat().join(','), s.Resource])]),
    );

    // Assess
    expect(granted).toEqual({
      SensorConsumerRole: [
        [
          'sqs:ReceiveMessage,sqs:DeleteMessage,sqs:GetQueueAttributes,sqs:ChangeMessageVisibility',
          'arn:aws:sqs:us-east-1:000000000000:iot-realtime-dev-sensor-readings',
        ],
        ['iot:Publish', `${ARN}:topic/iot-realtime/dev/updates/user/*`],
      ],
      BroadcastRole: [['iot:Publish,iot:RetainPublish', `${ARN}:topic/iot-realtime/dev/news`]],
      PresenceRole: [
        ['dynamodb:PutItem', 'arn:aws:dynamodb:us-east-1:000000000000:table/iot-realtime-dev-presence'],
        ['sqs:SendMessage', 'arn:aws:sqs:us-east-1:000000000000:iot-realtime-dev-presence-failures'],
      ],
      EndpointLookupRole: [['iot:DescribeEndpoint', '*']],
      // The one secret, by ARN (Ref of the secret resource), read-only.
      AuthorizerRole: [['secretsmanager:GetSecretValue', resolver.ref('JwtSecret')]],
    });
  });

  it('declares the custom authorizer with signing disabled and an invoke permission scoped to it', () => {
    // Prepare
    const authorizer = resolver.resolve(resolver.resource('IotAuthorizer').Properties) as Record<string, unknown>;

    // Act
    const permission = resolver.resolve(resolver.resource('AuthorizerInvokePermission').Properties) as Record<
      string,
      unknown
    >;

    // Assess
    expect(authorizer).toEqual({
      AuthorizerName: 'iot-realtime-dev-jwt',
      AuthorizerFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:iot-realtime-dev-authorizer',
      SigningDisabled: true,
      Status: 'ACTIVE',
    });
    expect(permission).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'iot.amazonaws.com',
      SourceArn: `${ARN}:authorizer/iot-realtime-dev-jwt`,
      SourceAccount: '000000000000',
    });
  });

  it('routes sensor readings to an encrypted queue with a dead-letter queue, and lifecycle events to presence', () => {
    // Prepare
    const rules = Object.fromEntries(
      resourcesOfType(resolver.template, 'AWS::IoT::TopicRule').map(([id, r]) => [id, resolver.resolve(r.Properties)]),
    ) as Record<string, { RuleName: string; TopicRulePayload: { Sql: string; Actions: unknown[] } }>;

    // Act
    const queue = resolver.resolve(resolver.resource('SensorQueue').Properties) as Record<string, unknown>;

    // Assess
    expect(rules.SensorRule?.RuleName).toBe('iot_realtime_dev_sensor');
    expect(rules.SensorRule?.TopicRulePayload.Sql).toBe(
      "SELECT temperature, humidity, sensor, topic(5) AS subject, clientid() AS clientId, timestamp() AS receivedAt FROM 'iot-realtime/dev/updates/sensor/+'" +
        " WHERE temperature >= -100 AND temperature <= 150 AND startswith(clientid(), 'iot-realtime_dev_')",
    );
    expect(rules.PresenceRule?.TopicRulePayload.Sql).toBe(
      "SELECT * FROM '$aws/events/presence/+/+' WHERE startswith(clientId, 'iot-realtime_dev_')",
    );
    expect(queue).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:iot-realtime-dev-sensor-readings-dlq',
        maxReceiveCount: 5,
      },
    });
  });

  it('gives every topic rule an error action and the asynchronous presence function an on-failure destination', () => {
    // Prepare
    const rules = resourcesOfType(resolver.template, 'AWS::IoT::TopicRule').map(
      ([id, r]) => [id, resolver.resolve(r.Properties)] as [string, { TopicRulePayload: { ErrorAction?: unknown } }],
    );

    // Act
    const invokeConfigs = resourcesOfType(resolver.template, 'AWS::Lambda::EventInvokeConfig').map(([, r]) =>
      resolver.resolve(r.Properties),
    );

    // Assess
    expect(rules.map(([id]) => id).sort()).toEqual(['PresenceRule', 'SensorRule']);
    for (const [, rule] of rules) {
      expect(rule.TopicRulePayload.ErrorAction).toEqual({
        Sqs: {
          QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/iot-realtime-dev-rule-errors',
          RoleArn: expect.stringContaining(':role/'),
          UseBase64: false,
        },
      });
    }
    expect(invokeConfigs).toEqual([
      {
        FunctionName: 'iot-realtime-dev-presence',
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 3600,
        DestinationConfig: {
          OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:iot-realtime-dev-presence-failures' },
        },
      },
    ]);
  });

  it('alarms on every dead-letter and failure queue', () => {
    // Prepare
    const alarms = resourcesOfType(resolver.template, 'AWS::CloudWatch::Alarm').map(
      ([, r]) => resolver.resolve(r.Properties) as { Dimensions: Array<{ Value: string }>; AlarmActions: unknown[] },
    );

    // Act
    const watched = alarms.flatMap((a) => a.Dimensions.map((d) => d.Value)).sort();

    // Assess
    expect(watched).toEqual([
      'iot-realtime-dev-presence-failures',
      'iot-realtime-dev-rule-errors',
      'iot-realtime-dev-sensor-readings-dlq',
    ]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
  });

  it('caps the public entry points: authorizer timeout and concurrency, presign concurrency, API throttling', () => {
    // Prepare
    const fn = (id: string) => {
      const { Timeout, ReservedConcurrentExecutions } = resolver.resource(id).Properties ?? {};
      return { Timeout, ReservedConcurrentExecutions };
    };

    // Act
    const stage = resolver.resolve(resolver.resource('HttpApiStage').Properties) as Record<string, unknown>;

    // Assess
    expect(fn('AuthorizerLambdaFunction')).toMatchObject({ Timeout: 5, ReservedConcurrentExecutions: 20 });
    expect(fn('PresignLambdaFunction')).toMatchObject({ ReservedConcurrentExecutions: 10 });
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
  });

  it('gives each function that calls AWS the timeout its client budget is sized from', () => {
    // Prepare
    const timeoutOf = (id: string) => resolver.resource(id).Properties?.Timeout;

    // Act
    const timeouts = Object.fromEntries(
      [
        'BroadcastLambdaFunction',
        'SensorConsumerLambdaFunction',
        'PresenceLambdaFunction',
        'EndpointLookupLambdaFunction',
      ].map((id) => [id, timeoutOf(id)]),
    );

    // Assess: iotDataClient and presence assume 10 s, endpointLookup 30 s (awsClientConfig in each)
    expect(timeouts).toEqual({
      BroadcastLambdaFunction: 10,
      SensorConsumerLambdaFunction: 10,
      PresenceLambdaFunction: 10,
      EndpointLookupLambdaFunction: 30,
    });
  });

  it('creates no account-wide IoT logging unless IOT_LOG_LEVEL asks for it', () => {
    // Prepare
    const logging = resolver.resource('IotLogging');

    // Act
    const created = resourcesOfType(resolver.template, 'AWS::IoT::Logging', resolver.stack);

    // Assess
    expect(created).toEqual([]);
    expect(logging.Condition).toBe('IotLoggingEnabled');
    expect(resolver.resource('IotLoggingRole').Condition).toBe('IotLoggingEnabled');
    expect(resolver.template.Conditions?.IotLoggingEnabled).toEqual({
      'Fn::Not': [{ 'Fn::Equals': ['DISABLED', 'DISABLED'] }],
    });
  });
});
