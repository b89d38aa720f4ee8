/**
 * The packaged templates of two stages: every IoT name a deployment grants or routes carries its own
 * prefix, so two stages (or two forks) in one account cannot reach each other's topics and clients.
 */
import type { IotNamespace, IotPolicyStatement } from '@blueprints/common';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import { namespaceOf } from './helpers/localStack.js';
import { packagedResolver } from './helpers/packagedService.js';

const deployments: Array<{ stage: string; resolver: TemplateResolver; namespace: IotNamespace }> = [];

beforeAll(async () => {
  // One after the other: packaging a second stage sets the default package aside while it runs.
  for (const stage of [undefined, 'qa']) {
    const resolver = await packagedResolver(stage ? { stage } : {});
    deployments.push({ stage: stage ?? 'dev', resolver, namespace: namespaceOf(resolver) });
  }
}, 300_000);

/** Every `arn:…:iot:…:<kind>/<name>` in the IAM roles of a template, as `[kind, name]`. */
function iotArnsOf(resolver: TemplateResolver): Array<[string, string]> {
  const arns: Array<[string, string]> = [];
  for (const [logicalId, role] of resourcesOfType(resolver.template, 'AWS::IAM::Role', resolver.stack)) {
    const props = resolver.resolve(role.Properties ?? {}, logicalId) as {
      Policies?: Array<{ PolicyDocument: { Statement: IotPolicyStatement[] } }>;
    };
    for (const statement of (props.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement)) {
      for (const resource of [statement.Resource ?? []].flat()) {
        const match = /^arn:[^:]+:iot:[^:]*:[^:]*:(topic|topicfilter|client)\/(.+)$/.exec(String(resource));
        if (match) arns.push([match[1] as string, match[2] as string]);
      }
    }
  }
  return arns;
}

function topicRulesOf(resolver: TemplateResolver): Array<{ name: string; sql: string }> {
  return resourcesOfType(resolver.template, 'AWS::IoT::TopicRule', resolver.stack).map(([id, rule]) => {
    const props = resolver.resolve(rule.Properties ?? {}, id) as {
      RuleName: string;
      TopicRulePayload: { Sql: string };
    };
    return { name: props.RuleName, sql: props.TopicRulePayload.Sql };
  });
}

describe('Template: the IoT namespace of each deployment', () => {
  it('names two different namespaces for two stages', () => {
    // Assess
    expect(deployments.map((d) => [d.namespace.topicPrefix, d.namespace.clientIdPrefix])).toEqual([
      ['iot-realtime/dev', 'iot-realtime_dev_'],
      ['iot-realtime/qa', 'iot-realtime_qa_'],
    ]);
  });

  it('puts the deployment’s prefix on every IoT topic, topic filter and client ARN it grants', () => {
    for (const { resolver, namespace } of deployments) {
      // Act
      const arns = iotArnsOf(resolver);

      // Assess
      expect(arns.length).toBeGreaterThanOrEqual(5);
      for (const [kind, name] of arns) {
        const scoped = kind === 'client' ? namespace.ownsClientId(name) : namespace.ownsTopic(name);
        expect([kind, name, scoped]).toEqual([kind, name, true]);
      }
    }
  });

  it('reads only the deployment’s topics and lifecycle events of its own clients in every rule’s SQL', () => {
    for (const { resolver, namespace } of deployments) {
      // Act
      const rules = topicRulesOf(resolver);

      // Assess
      expect(rules.length).toBe(2);
      for (const { name, sql } of rules) {
        const from = /\bFROM '([^']+)'/.exec(sql)?.[1] ?? '';
        const ownTopics = namespace.ownsTopic(from);
        const ownLifecycle =
          from.startsWith('$aws/events/presence/') &&
          new RegExp(`\\bWHERE startswith\\(clientId, '${namespace.clientIdPrefix}'\\)`).test(sql);
        expect([name, from, ownTopics || ownLifecycle]).toEqual([name, from, true]);
        expect(name.startsWith(`iot_realtime_${namespace.stage}_`)).toBe(true);
      }
    }
  });

  it('hands every function that names IoT topics the same namespace', () => {
    for (const { resolver, namespace } of deployments) {
      // Act
      const values = resourcesOfType(resolver.template, 'AWS::Lambda::Function', resolver.stack)
        .map(([, fn]) => (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables)
        .filter((variables) => variables?.IOT_ENDPOINT !== undefined)
        .map((variables) => variables?.IOT_NAMESPACE);

      // Assess
      expect(values.length).toBeGreaterThanOrEqual(3);
      expect(new Set(values)).toEqual(new Set([namespace.topicPrefix]));
    }
  });
});
