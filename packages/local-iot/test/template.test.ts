import { IotPolicyBuilder } from '@blueprints/common';
import { functionsFromTemplate, type Handler, LocalLambda } from '@blueprints/local-runtime';
import { type CfnTemplate, TemplateResolver } from '@blueprints/packaging';
import {
  iotGatewayOptionsFromTemplate,
  iotPoliciesOfFunction,
  startIotGateway,
  topicRulesFromTemplate,
  UnsupportedTopicRuleError,
} from '../src/index.js';
import { authorizerResponse, closed, connect, subscribe } from './factories.js';

const stack = { stackName: 'iot-demo-dev', region: 'us-east-1', accountId: '000000000000' };
const iotArn = (resource: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:iot:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
});

function template(): CfnTemplate {
  return {
    Resources: {
      PresignRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Policies: [
            {
              PolicyName: 'presign',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: '*' },
                  { Effect: 'Allow', Action: 'iot:Connect', Resource: iotArn('client/user-*') },
                  { Effect: 'Allow', Action: 'iot:Subscribe', Resource: iotArn('topicfilter/news') },
                  { Effect: 'Allow', Action: 'iot:Receive', Resource: iotArn('topic/news') },
                ],
              },
            },
          ],
        },
      },
      PresignLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: 'iot-demo-dev-presign',
          Handler: 'src/handlers/presign.handler',
          Role: { 'Fn::GetAtt': ['PresignRole', 'Arn'] },
        },
      },
      AuthorizerLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: 'iot-demo-dev-authorizer', Handler: 'src/handlers/authorizer.handler' },
      },
      SensorConsumerLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: 'iot-demo-dev-echo', Handler: 'src/handlers/echo.handler' },
      },
      SensorQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'iot-demo-dev-sensor' } },
      Authorizer: {
        Type: 'AWS::IoT::Authorizer',
        Properties: {
          AuthorizerName: { 'Fn::Sub': '${AWS::StackName}-jwt' },
          AuthorizerFunctionArn: { 'Fn::GetAtt': ['AuthorizerLambdaFunction', 'Arn'] },
          SigningDisabled: true,
          Status: 'ACTIVE',
        },
      },
      SensorRule: {
        Type: 'AWS::IoT::TopicRule',
        Properties: {
          RuleName: 'iot_demo_dev_sensor',
          TopicRulePayload: {
            AwsIotSqlVersion: '2016-03-23',
            RuleDisabled: false,
            Sql: "SELECT *, topic(3) AS room, clientid() AS clientId FROM 'updates/sensor/+'",
            Actions: [
              {
                Sqs: {
                  QueueUrl: { Ref: 'SensorQueue' },
                  RoleArn: 'arn:aws:iam::000000000000:role/x',
                  UseBase64: false,
                },
              },
              { Lambda: { FunctionArn: { 'Fn::GetAtt': ['SensorConsumerLambdaFunction', 'Arn'] } } },
            ],
            ErrorAction: { CloudwatchLogs: { LogGroupName: 'x', RoleArn: 'y' } },
          },
        },
      },
      DisabledRule: {
        Type: 'AWS::IoT::TopicRule',
        Properties: {
          TopicRulePayload: {
            RuleDisabled: true,
            Sql: "SELECT * FROM '#'",
            Actions: [{ Republish: { Topic: 'x', RoleArn: 'y' } }],
          },
        },
      },
    },
  };
}

describe('Function: iotGatewayOptionsFromTemplate()', () => {
  it('reads topic rules with their resolved actions', () => {
    // Prepare
    const resolver = new TemplateResolver(template(), stack);

    // Act
    const rules = topicRulesFromTemplate(resolver);

    // Assess
    expect(rules).toEqual([
      {
        name: 'iot_demo_dev_sensor',
        sql: "SELECT *, topic(3) AS room, clientid() AS clientId FROM 'updates/sensor/+'",
        sqlVersion: '2016-03-23',
        disabled: false,
        actions: [
          {
            type: 'sqs',
            queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/iot-demo-dev-sensor',
            useBase64: false,
          },
          { type: 'lambda', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:iot-demo-dev-echo' },
        ],
        errorAction: undefined,
      },
      {
        name: 'iot_demo_dev_DisabledRule',
        sql: "SELECT * FROM '#'",
        sqlVersion: undefined,
        disabled: true,
        actions: [{ type: 'republish', topic: 'x', qos: 0 }],
        errorAction: undefined,
      },
    ]);
  });

  it('throws UnsupportedTopicRuleError for an action it cannot run', () => {
    // Prepare
    const t = template();
    (t.Resources.SensorRule!.Properties!.TopicRulePayload as { Actions: unknown[] }).Actions.push({ Kinesis: {} });

    // Act / Assess
    expect(() => topicRulesFromTemplate(new TemplateResolver(t, stack))).toThrow(UnsupportedTopicRuleError);
  });

  it('extracts the IoT statements of a function role', () => {
    // Act
    const policies = iotPoliciesOfFunction(new TemplateResolver(template(), stack), 'PresignLambdaFunction');

    // Assess
    expect(policies).toEqual([
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:us-east-1:000000000000:client/user-*' },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:us-east-1:000000000000:topicfilter/news' },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: 'arn:aws:iot:us-east-1:000000000000:topic/news' },
        ],
      },
    ]);
  });

  it('runs the template authorizer and rules end to end', async () => {
    // Prepare
    const resolver = new TemplateResolver(template(), stack);
    const invocations: Array<{ fn: string; event: unknown }> = [];
    const handlers: Record<string, Handler> = {
      'src/handlers/authorizer.handler': async (event) => {
        invocations.push({ fn: 'authorizer', event });
        const sub = Buffer.from(event.protocolData.mqtt.password, 'base64').toString();
        const policy = new IotPolicyBuilder({ region: stack.region, accountId: stack.accountId })
          .allowConnect([`${sub}_*`])
          .allowPublish(['$aws/rules/iot_demo_dev_sensor/updates/sensor/*'])
          .build();
        return authorizerResponse(sub, { policyDocuments: [JSON.stringify(policy)] });
      },
      'src/handlers/echo.handler': async (event) => {
        invocations.push({ fn: 'echo', event });
      },
      'src/handlers/presign.handler': async () => undefined,
    };
    const lambda = new LocalLambda(functionsFromTemplate(resolver), async (fn) => handlers[fn.handler] as Handler);
    const sent: Array<{ queue: string; body: string }> = [];
    const sqs = {
      sendMessage: async (queue: string, body: string) => {
        sent.push({ queue, body });
      },
    };
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const gateway = await startIotGateway({
      ...iotGatewayOptionsFromTemplate(resolver, lambda, sqs),
      credentials: [{ ...credentials, policies: iotPoliciesOfFunction(resolver, 'iot-demo-dev-presign') }],
    });
    try {
      // Act
      const device = await connect(gateway.mqttUrl, {
        clientId: 'alice_1',
        username: 'alice?x-amz-customauthorizer-name=iot-demo-dev-jwt',
        password: 'alice',
      });
      await device.publishAsync('$aws/rules/iot_demo_dev_sensor/updates/sensor/den', '{"celsius":19}', { qos: 1 });
      const browser = await connect(gateway.presign(credentials), { clientId: 'user-7' });
      await subscribe(browser, 'news');
      browser.subscribe('updates/#');
      await closed(browser);
      await gateway.idle();
      await device.endAsync();

      // Assess
      expect(invocations[0]?.fn).toBe('authorizer');
      expect(sent).toEqual([
        {
          queue: 'https://sqs.us-east-1.amazonaws.com/000000000000/iot-demo-dev-sensor',
          body: JSON.stringify({ celsius: 19, room: 'den', clientId: 'alice_1' }),
        },
      ]);
      expect(invocations.filter((i) => i.fn === 'echo').map((i) => i.event)).toEqual([
        { celsius: 19, room: 'den', clientId: 'alice_1' },
      ]);
    } finally {
      await gateway.close();
    }
  });
});
