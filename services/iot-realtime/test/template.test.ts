/** The packaged CloudFormation template: least-privilege roles and the IoT wiring the service relies on. */
import { evaluateIotPolicy, type IotAction, type IotPolicyStatement } from '@blueprints/common';
import { iotPoliciesOfFunction, resourcesOfType, type TemplateResolver } from '@blueprints/offline';
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
      PresenceRole: [['dynamodb:PutItem', 'arn:aws:dynamodb:us-east-1:000000000000:table/iot-realtime-dev-presence']],
      EndpointLookupRole: [['iot:DescribeEndpoint', '*']],
      AuthorizerRole: [],
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
      "SELECT *, topic(5) AS room, clientid() AS clientId, timestamp() AS receivedAt FROM 'iot-realtime/dev/updates/sensor/+'" +
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
