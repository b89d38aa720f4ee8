import type { TemplateResolver } from '@blueprints/packaging';
import { packagedResolver } from './helpers/localTable.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

describe('The packaged template', () => {
  let resources: Record<string, Resource>;

  beforeAll(async () => {
    const resolver: TemplateResolver = await packagedResolver();
    resources = resolver.template.Resources as Record<string, Resource>;
  }, 180_000);

  it("gives every function its own timeout as FUNCTION_TIMEOUT_MS, so client timeouts fit the function's", () => {
    // Act
    const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const withClients = functions.filter(([id]) => id !== 'BrandConsumerLambdaFunction');

    // Assess
    expect(withClients.map(([id]) => id).sort()).toEqual([
      'PersistLambdaFunction',
      'PublishLambdaFunction',
      'QueryLambdaFunction',
    ]);
    for (const [, fn] of withClients) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Number(variables.FUNCTION_TIMEOUT_MS)).toBe(Number(fn.Properties.Timeout) * 1000);
    }
  });

  it('throttles the HTTP API stage and caps the functions behind its routes with reserved concurrency', () => {
    // Act
    const stage = resources.HttpApiStage?.Properties.DefaultRouteSettings as Record<string, unknown>;
    const routed = ['PublishLambdaFunction', 'QueryLambdaFunction'].map((id) => resources[id]?.Properties);

    // Assess
    expect(stage).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(routed.map((p) => p?.ReservedConcurrentExecutions)).toEqual([10, 10]);
  });

  it('alarms on every dead-letter queue, notifying the alarm topic', () => {
    // Prepare: queues named by a redrive policy or a rule target's DeadLetterConfig
    const text = JSON.stringify(resources);
    const deadLetterQueues = Object.entries(resources)
      .filter(
        ([id, r]) => r.Type === 'AWS::SQS::Queue' && text.includes(`"deadLetterTargetArn":{"Fn::GetAtt":["${id}"`),
      )
      .map(([id]) => id);
    const ruleDlqs = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Events::Rule')
      .flatMap((r) => (r.Properties.Targets as Array<{ DeadLetterConfig?: { Arn: { 'Fn::GetAtt': [string] } } }>) ?? [])
      .map((t) => t.DeadLetterConfig?.Arn['Fn::GetAtt'][0]);

    // Act
    const alarmed = Object.values(resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => ({
        queue: (r.Properties.Dimensions as Array<{ Value: { 'Fn::GetAtt': [string] } }>)[0]?.Value['Fn::GetAtt'][0],
        actions: r.Properties.AlarmActions,
      }));

    // Assess
    expect(new Set([...deadLetterQueues, ...ruleDlqs])).toEqual(
      new Set(['PersistDlq', 'FairDlq', 'UndeliveredEventsQueue']),
    );
    for (const queue of ['PersistDlq', 'FairDlq', 'UndeliveredEventsQueue']) {
      expect(alarmed).toContainEqual({ queue, actions: [{ Ref: 'AlarmTopic' }] });
    }
  });
});
