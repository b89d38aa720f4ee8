import type { IotPolicyDocument, IotPolicyStatement } from '@blueprints/common';
import type { LocalLambda } from '@blueprints/local-runtime';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import type { IotGatewayAuthorizer } from './authorizer.js';
import type { IotGatewayOptions } from './gateway/types.js';
import type { LocalRuleAction, LocalTopicRule } from './rules.js';

/** Anything that can take an SQS message in-process (e.g. `LocalSqs`). */
export interface IotRuleSqsTarget {
  sendMessage(queueUrlOrArn: string, body: string, options: { messageGroupId?: string }): Promise<unknown>;
}

export class UnsupportedTopicRuleError extends Error {
  constructor(rule: string, what: string) {
    super(`Topic rule ${rule}: ${what} is not supported by the local IoT gateway`);
    this.name = 'UnsupportedTopicRuleError';
  }
}

function ruleAction(ruleName: string, action: Record<string, Record<string, unknown>>): LocalRuleAction {
  const [type, props] = Object.entries(action)[0] ?? [];
  switch (type) {
    case 'Sqs':
      return {
        type: 'sqs',
        queueUrl: String(props?.QueueUrl),
        useBase64: props?.UseBase64 === true || props?.UseBase64 === 'true',
      };
    case 'Lambda':
      return { type: 'lambda', functionArn: String(props?.FunctionArn) };
    case 'Republish':
      return { type: 'republish', topic: String(props?.Topic), qos: Number(props?.Qos ?? 0) === 1 ? 1 : 0 };
    default:
      throw new UnsupportedTopicRuleError(ruleName, `the ${type} action`);
  }
}

/** The `AWS::IoT::TopicRule`s of a packaged template (Sql, AwsIotSqlVersion, RuleDisabled, Sqs/Lambda/Republish actions). */
export function topicRulesFromTemplate(resolver: TemplateResolver): LocalTopicRule[] {
  return resourcesOfType(resolver.template, 'AWS::IoT::TopicRule', resolver.stack).map(([logicalId]) => {
    const props = resolver.resolve(resolver.resource(logicalId).Properties ?? {}, logicalId) as Record<string, unknown>;
    const name =
      (props.RuleName as string | undefined) ?? resolver.physicalName(logicalId).replace(/[^a-zA-Z0-9_]/g, '_');
    const payload = (props.TopicRulePayload ?? {}) as Record<string, unknown>;
    const actions = ((payload.Actions ?? []) as Array<Record<string, Record<string, unknown>>>).map((a) =>
      ruleAction(name, a),
    );
    let errorAction: LocalRuleAction | undefined;
    if (payload.ErrorAction) {
      try {
        errorAction = ruleAction(name, payload.ErrorAction as Record<string, Record<string, unknown>>);
      } catch {
        // An error action the gateway cannot run (e.g. CloudwatchLogs) is skipped; failures stay in ruleActivity.
      }
    }
    const version = payload.AwsIotSqlVersion as string | undefined;
    if (version && version !== '2016-03-23' && version !== '2015-10-08') {
      throw new UnsupportedTopicRuleError(name, `AwsIotSqlVersion ${version}`);
    }
    return {
      name,
      sql: String(payload.Sql),
      sqlVersion: version,
      disabled: payload.RuleDisabled === true || payload.RuleDisabled === 'true',
      actions,
      errorAction,
    };
  });
}

/** IoT statements (actions starting with `iot:`) of an `AWS::IAM::Role`'s inline policies. */
export function iotPoliciesOfRole(resolver: TemplateResolver, roleLogicalId: string): IotPolicyDocument[] {
  const role = resolver.resource(roleLogicalId);
  if (role.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is a ${role.Type}, not an AWS::IAM::Role`);
  const props = resolver.resolve(role.Properties ?? {}, roleLogicalId) as {
    Policies?: Array<{ PolicyDocument: IotPolicyDocument }>;
  };
  const documents: IotPolicyDocument[] = [];
  for (const policy of props.Policies ?? []) {
    const statements = ([] as IotPolicyStatement[]).concat(policy.PolicyDocument.Statement);
    const iot = statements.filter((s) => {
      const actions = ([] as string[]).concat(s.Action ?? s.NotAction ?? []);
      return actions.some((a) => a.toLowerCase().startsWith('iot:') || a === '*');
    });
    if (iot.length > 0) documents.push({ Version: '2012-10-17', Statement: iot });
  }
  return documents;
}

/** The IoT statements of the role a function runs under (`Role: !GetAtt X.Arn`): what its presigned URLs may do. */
export function iotPoliciesOfFunction(
  resolver: TemplateResolver,
  functionLogicalIdOrName: string,
): IotPolicyDocument[] {
  const entry = resourcesOfType(resolver.template, 'AWS::Lambda::Function').find(
    ([id]) => id === functionLogicalIdOrName || resolver.physicalName(id) === functionLogicalIdOrName,
  );
  if (!entry) throw new Error(`No AWS::Lambda::Function "${functionLogicalIdOrName}" in the template`);
  const role = entry[1].Properties?.Role as unknown;
  const getAtt = (role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  if (!getAtt) throw new Error(`Function ${entry[0]} has no Role: !GetAtt <Role>.Arn`);
  return iotPoliciesOfRole(resolver, getAtt[0]);
}

/**
 * Gateway options from a packaged template: its topic rules (actions to `lambda` and, when given, `sqs`) and
 * custom authorizers (`AWS::IoT::Authorizer` → the function behind `AuthorizerFunctionArn`). Add `credentials`
 * (e.g. with `iotPoliciesOfFunction`) for presigned URLs.
 *
 * @example
 * const gateway = await startIotGateway({ ...iotGatewayOptionsFromTemplate(resolver, lambda, sqs), credentials });
 */
export function iotGatewayOptionsFromTemplate(
  resolver: TemplateResolver,
  lambda: LocalLambda,
  sqs?: IotRuleSqsTarget,
): IotGatewayOptions {
  const authorizers: Record<string, IotGatewayAuthorizer> = {};
  for (const [logicalId, resource] of resourcesOfType(resolver.template, 'AWS::IoT::Authorizer', resolver.stack)) {
    const props = resolver.resolve(resource.Properties ?? {}, logicalId) as Record<string, unknown>;
    const name = (props.AuthorizerName as string | undefined) ?? resolver.physicalName(logicalId);
    const functionArn = String(props.AuthorizerFunctionArn);
    authorizers[name] = {
      handler: (event) => lambda.invoke(functionArn, event),
      tokenKeyName: props.TokenKeyName as string | undefined,
      enabled: props.Status !== 'INACTIVE',
    };
  }
  return {
    region: resolver.stack.region,
    accountId: resolver.stack.accountId,
    rules: topicRulesFromTemplate(resolver),
    authorizers,
    actions: {
      lambda: async (functionArn, payload) => {
        await lambda.invoke(functionArn, payload);
      },
      ...(sqs
        ? {
            sqs: async (queueUrl: string, body: string) => {
              await sqs.sendMessage(queueUrl, body, {});
            },
          }
        : {}),
    },
  };
}
