import { evaluateIotSql, type IotSqlContext, type ParsedIotSql, parseIotSql, substituteIotTemplate } from './sql.js';

/** A rule action the local gateway can run. */
export type LocalRuleAction =
  | { type: 'sqs'; queueUrl: string; useBase64?: boolean }
  | { type: 'lambda'; functionArn: string }
  | { type: 'republish'; topic: string; qos?: 0 | 1 };

/** An `AWS::IoT::TopicRule`, resolved to local values. */
export interface LocalTopicRule {
  name: string;
  sql: string;
  sqlVersion?: string;
  disabled?: boolean;
  actions: LocalRuleAction[];
  errorAction?: LocalRuleAction;
}

/** Where rule actions go. */
export interface IotRuleTargets {
  sqs?: (queueUrl: string, body: string) => Promise<void>;
  lambda?: (functionArn: string, payload: unknown) => Promise<void>;
  republish: (topic: string, payload: Buffer, qos: 0 | 1) => Promise<void>;
}

/** One rule run, recorded for tests and debugging. */
export interface IotRuleActivity {
  rule: string;
  topic: string;
  /** The SQL output passed to the actions. */
  output: unknown;
  action: LocalRuleAction;
  error?: string;
  /** Set when the error action ran after `error`. */
  errorActionError?: string;
}

export class RuleActionTargetMissingError extends Error {
  constructor(type: string) {
    super(`No local target for the ${type} rule action: pass options.actions.${type} to startIotGateway`);
    this.name = 'RuleActionTargetMissingError';
  }
}

function payloadBytes(output: unknown): Buffer {
  return Buffer.isBuffer(output) ? output : Buffer.from(JSON.stringify(output));
}

async function runAction(action: LocalRuleAction, output: unknown, ctx: IotSqlContext, targets: IotRuleTargets) {
  switch (action.type) {
    case 'sqs': {
      if (!targets.sqs) throw new RuleActionTargetMissingError('sqs');
      const bytes = payloadBytes(output);
      await targets.sqs(action.queueUrl, action.useBase64 ? bytes.toString('base64') : bytes.toString('utf8'));
      return;
    }
    case 'lambda': {
      if (!targets.lambda) throw new RuleActionTargetMissingError('lambda');
      if (Buffer.isBuffer(output)) {
        throw new Error("The Lambda rule action does not take binary payloads: select encode(*, 'base64') instead");
      }
      await targets.lambda(action.functionArn, output);
      return;
    }
    case 'republish': {
      const topic = substituteIotTemplate(action.topic, ctx);
      await targets.republish(topic, payloadBytes(output), action.qos ?? 0);
      return;
    }
  }
}

/**
 * Runs topic rules like the IoT rules engine: every enabled rule whose FROM matches a published message (or, for
 * Basic Ingest `$aws/rules/NAME/...`, only rule NAME with the topic after the prefix), its actions in parallel,
 * the error action when one fails. Runs are asynchronous; `idle()` waits for them.
 */
export class IotRulesEngine {
  private readonly rules: Array<{ rule: LocalTopicRule; parsed: ParsedIotSql }>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly listeners = new Set<(activity: IotRuleActivity) => void>();
  readonly activity: IotRuleActivity[] = [];

  constructor(
    rules: LocalTopicRule[],
    private readonly targets: IotRuleTargets,
  ) {
    this.rules = rules.map((rule) => ({ rule, parsed: parseIotSql(rule.sql) }));
  }

  onActivity(listener: (activity: IotRuleActivity) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs the rules for one message: all matching rules, or only `onlyRule` (Basic Ingest). */
  dispatch(ctx: IotSqlContext, onlyRule?: string): void {
    for (const { rule, parsed } of this.rules) {
      if (rule.disabled) continue;
      if (onlyRule !== undefined && rule.name !== onlyRule) continue;
      let output: unknown;
      try {
        output = evaluateIotSql(parsed, ctx);
      } catch (error) {
        this.record({
          rule: rule.name,
          topic: ctx.topic,
          output: undefined,
          action: rule.actions[0] ?? { type: 'republish', topic: '' },
          error: String(error),
        });
        continue;
      }
      if (output === undefined) continue;
      for (const action of rule.actions) this.track(this.run(rule, action, output, ctx));
    }
  }

  /** Resolves when no rule action is running. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(promise: Promise<void>) {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private async run(rule: LocalTopicRule, action: LocalRuleAction, output: unknown, ctx: IotSqlContext): Promise<void> {
    const activity: IotRuleActivity = { rule: rule.name, topic: ctx.topic, output, action };
    try {
      await runAction(action, output, ctx, this.targets);
    } catch (error) {
      activity.error = error instanceof Error ? error.message : String(error);
      if (rule.errorAction) {
        const errorPayload = {
          ruleName: rule.name,
          topic: ctx.topic,
          clientId: ctx.clientId,
          base64OriginalPayload: payloadBytes(output).toString('base64'),
          failures: [
            {
              failedAction: `${action.type[0]?.toUpperCase()}${action.type.slice(1)}Action`,
              errorMessage: activity.error,
            },
          ],
        };
        try {
          await runAction(rule.errorAction, errorPayload, ctx, this.targets);
        } catch (second) {
          activity.errorActionError = second instanceof Error ? second.message : String(second);
        }
      }
    }
    this.record(activity);
  }

  private record(activity: IotRuleActivity) {
    this.activity.push(activity);
    for (const listener of this.listeners) listener(activity);
  }
}
