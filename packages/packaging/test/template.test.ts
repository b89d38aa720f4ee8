import { type CfnTemplate, resourcesOfType, TemplateResolver } from '../src/index.js';

const stack = { stackName: 'demo-dev', region: 'eu-west-1', accountId: '123456789012' };

function template(): CfnTemplate {
  return {
    Parameters: { Mode: { Type: 'String', Default: 'off' } },
    Conditions: { LedgerOn: { 'Fn::Equals': [{ Ref: 'Mode' }, 'on'] } },
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${AWS::StackName}-fair' } } },
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'demo-bus' } },
      Ledger: { Type: 'AWS::QLDB::Ledger', Condition: 'LedgerOn', Properties: {} },
      Unnamed: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    },
  };
}

describe('Class: TemplateResolver', () => {
  it('resolves Ref, GetAtt and Sub to local names and ARNs', () => {
    // Prepare
    const r = new TemplateResolver(template(), stack);

    // Act
    const value = r.resolve({
      url: { Ref: 'Queue' },
      arn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
      bus: { 'Fn::Sub': 'bus=${Bus.Arn};region=${AWS::Region}' },
      table: { Ref: 'Unnamed' },
      joined: { 'Fn::Join': ['/', ['a', { Ref: 'AWS::AccountId' }]] },
    });

    // Assess
    expect(value).toEqual({
      url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/demo-dev-fair',
      arn: 'arn:aws:sqs:eu-west-1:123456789012:demo-dev-fair',
      bus: 'bus=arn:aws:events:eu-west-1:123456789012:event-bus/demo-bus;region=eu-west-1',
      table: 'demo-dev-Unnamed',
      joined: 'a/123456789012',
    });
  });

  it('skips resources whose condition is false and honours parameter overrides', () => {
    expect(resourcesOfType(template(), 'AWS::QLDB::Ledger', stack)).toHaveLength(0);
    expect(resourcesOfType(template(), 'AWS::QLDB::Ledger', { ...stack, parameters: { Mode: 'on' } })).toHaveLength(1);
  });

  it('names the place of an unresolvable intrinsic', () => {
    const r = new TemplateResolver(template(), stack);
    expect(() => r.resolve({ x: { 'Fn::ImportValue': 'other' } }, 'Outputs')).toThrow(
      'Fn::ImportValue locally (at Outputs.x)',
    );
  });
});
