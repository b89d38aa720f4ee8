import { InvalidIotPolicyError } from './errors.js';
import type { IotNamespace } from './namespace.js';

/** The IoT Core data-plane actions a connection is authorized for. */
export type IotAction =
  | 'iot:Connect'
  | 'iot:Publish'
  | 'iot:Subscribe'
  | 'iot:Receive'
  | 'iot:RetainPublish'
  | 'iot:GetRetainedMessage'
  | 'iot:ListRetainedMessages';

export interface IotPolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, unknown>;
}

export interface IotPolicyDocument {
  Version: '2012-10-17' | (string & {});
  Statement: IotPolicyStatement | IotPolicyStatement[];
}

export interface IotPolicyBuilderOptions {
  region: string;
  accountId: string;
  partition?: string;
  /**
   * Scope every name to one deployment: client ids get `<service>_<stage>_`, topics and filters
   * `<service>/<stage>/` (after `$aws/rules/<rule>/` for Basic Ingest). Names are then given relative.
   */
  namespace?: IotNamespace;
}

/** The resource kind each IoT action is authorized on. */
export const IOT_ACTION_RESOURCE: Record<IotAction, 'client' | 'topic' | 'topicfilter'> = {
  'iot:Connect': 'client',
  'iot:Publish': 'topic',
  'iot:Receive': 'topic',
  'iot:RetainPublish': 'topic',
  'iot:GetRetainedMessage': 'topic',
  'iot:ListRetainedMessages': 'topic',
  'iot:Subscribe': 'topicfilter',
};

/**
 * Builds least-privilege IoT Core policies with correctly shaped ARNs
 * (`client/` for Connect, `topicfilter/` for Subscribe, `topic/` for Publish, Receive and RetainPublish).
 * Arguments are policy resource patterns: `*` and `?` are wildcards there. Embed untrusted identities
 * only through `iotPolicyResource` (or `assertSafeIotIdentity` + `escapeIotPolicyResource`). With a
 * `namespace`, names are relative to the deployment and no statement can reach outside it.
 *
 * @example
 * const policy = new IotPolicyBuilder({ region: 'us-east-1', accountId: '123456789012' })
 *   .allowConnect(['user-*'])
 *   .allowSubscribe(['news'])
 *   .allowReceive(['news'])
 *   .build();
 */
export class IotPolicyBuilder {
  private readonly statements: IotPolicyStatement[] = [];
  private readonly prefix: string;
  private readonly namespace: IotNamespace | undefined;

  constructor(options: IotPolicyBuilderOptions) {
    this.namespace = options.namespace;
    const partition = options.partition ?? 'aws';
    if (!/^[a-z0-9-]+$/.test(options.region ?? ''))
      throw new InvalidIotPolicyError(`invalid region "${options.region}"`);
    if (!/^\d{12}$/.test(options.accountId ?? '')) {
      throw new InvalidIotPolicyError(`accountId must be 12 digits, got "${options.accountId}"`);
    }
    if (!/^aws(-[a-z]+)*$/.test(partition)) throw new InvalidIotPolicyError(`invalid partition "${partition}"`);
    this.prefix = `arn:${partition}:iot:${options.region}:${options.accountId}`;
  }

  /** `arn:aws:iot:REGION:ACCOUNT:client/ID` */
  clientArn(clientId: string): string {
    return `${this.prefix}:client/${clientId}`;
  }

  /** `arn:aws:iot:REGION:ACCOUNT:topic/NAME` */
  topicArn(topic: string): string {
    return `${this.prefix}:topic/${topic}`;
  }

  /** `arn:aws:iot:REGION:ACCOUNT:topicfilter/FILTER` */
  topicFilterArn(filter: string): string {
    return `${this.prefix}:topicfilter/${filter}`;
  }

  allowConnect(clientIds: string[]): this {
    return this.add('Allow', 'iot:Connect', clientIds);
  }
  allowSubscribe(topicFilters: string[]): this {
    return this.add('Allow', 'iot:Subscribe', topicFilters);
  }
  allowReceive(topics: string[]): this {
    return this.add('Allow', 'iot:Receive', topics);
  }
  allowPublish(topics: string[]): this {
    return this.add('Allow', 'iot:Publish', topics);
  }
  allowRetainPublish(topics: string[]): this {
    return this.add('Allow', 'iot:RetainPublish', topics);
  }
  denyConnect(clientIds: string[]): this {
    return this.add('Deny', 'iot:Connect', clientIds);
  }
  denySubscribe(topicFilters: string[]): this {
    return this.add('Deny', 'iot:Subscribe', topicFilters);
  }
  denyReceive(topics: string[]): this {
    return this.add('Deny', 'iot:Receive', topics);
  }
  denyPublish(topics: string[]): this {
    return this.add('Deny', 'iot:Publish', topics);
  }
  denyRetainPublish(topics: string[]): this {
    return this.add('Deny', 'iot:RetainPublish', topics);
  }

  /** The policy document. Throws `InvalidIotPolicyError` when no statement was added (IoT rejects empty policies). */
  build(): IotPolicyDocument {
    if (this.statements.length === 0) throw new InvalidIotPolicyError('a policy needs at least one statement');
    return { Version: '2012-10-17', Statement: this.statements.map((s) => ({ ...s })) };
  }

  /** The document as the compact JSON string a custom authorizer returns in `policyDocuments`. */
  toJSONString(): string {
    return JSON.stringify(this.build());
  }

  private add(effect: 'Allow' | 'Deny', action: IotAction, names: string[]): this {
    if (!Array.isArray(names) || names.length === 0) {
      throw new InvalidIotPolicyError(`${effect} ${action} needs at least one resource`);
    }
    const kind = IOT_ACTION_RESOURCE[action];
    const resources = names.map((name) => {
      if (typeof name !== 'string' || name === '')
        throw new InvalidIotPolicyError(`${action} resource must be non-empty`);
      if (kind === 'client') return this.clientArn(this.namespace ? this.namespace.clientId(name) : name);
      const scoped = this.namespace ? this.namespace.scopeTopic(name) : name;
      return kind === 'topic' ? this.topicArn(scoped) : this.topicFilterArn(scoped);
    });
    this.statements.push({
      Effect: effect,
      Action: action,
      Resource: resources.length === 1 ? resources[0] : resources,
    });
    return this;
  }
}
