import { readPackagedFile } from './packageFolder.js';

/** A CloudFormation resource as it stands in a packaged template. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
  /** Free-form; the template check (@blueprints/build-checks) reads its `templateCheck` exceptions here. */
  Metadata?: Record<string, unknown>;
  /** Any other resource attribute CloudFormation knows (DeletionPolicy, UpdateReplacePolicy, ...). */
  [attribute: string]: unknown;
}

/** A packaged CloudFormation template: what the local stand-ins and the template check read. */
export interface CfnTemplate {
  Parameters?: Record<string, { Default?: unknown; Type?: string }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name?: unknown } }>;
}

/** Where a local stack "lives": the values pseudo parameters and generated names resolve to. */
export interface StackContext {
  stackName: string;
  region: string;
  accountId: string;
  partition?: string;
  /** Parameter values that override template defaults. */
  parameters?: Record<string, unknown>;
}

export class TemplateNotPackagedError extends Error {
  constructor(serviceDir: string) {
    super(
      `No packaged CloudFormation template in ${serviceDir}/.serverless: run \`osls package\` in that service first (or \`pnpm package\` at the repo root).`,
    );
    this.name = 'TemplateNotPackagedError';
  }
}

export class UnsupportedIntrinsicError extends Error {
  constructor(what: string, where: string) {
    super(`Cannot resolve ${what} locally (at ${where})`);
    this.name = 'UnsupportedIntrinsicError';
  }
}

/**
 * Reads the template `osls package` wrote for a service.
 *
 * @example
 * const template = loadPackagedTemplate('services/my-service');
 * const rules = resourcesOfType(template, 'AWS::Events::Rule');
 */
export function loadPackagedTemplate(serviceDir: string, stage?: string): CfnTemplate {
  // `.serverless-<stage>`: a second stage packaged by `ensurePackaged(dir, { stage })`.
  let text: string;
  try {
    text = readPackagedFile(serviceDir, stage, 'cloudformation-template-update-stack.json');
  } catch {
    throw new TemplateNotPackagedError(serviceDir);
  }
  return JSON.parse(text) as CfnTemplate;
}

/** Every resource of one type, as `[logicalId, resource]` pairs, skipping those whose Condition is false. */
export function resourcesOfType(
  template: CfnTemplate,
  type: string,
  stack?: StackContext,
): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(
    ([, r]) => r.Type === type && (!r.Condition || !stack || evaluateCondition(template, r.Condition, stack)),
  );
}

/** The property that holds a resource's physical name, per type (what `Ref` returns for most of them). */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Kinesis::Stream': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Pipes::Pipe': 'Name',
  'AWS::KinesisFirehose::DeliveryStream': 'DeliveryStreamName',
  'AWS::IoT::TopicRule': 'RuleName',
  'AWS::IoT::Authorizer': 'AuthorizerName',
  'AWS::Logs::LogGroup': 'LogGroupName',
};

/** The ARN service segment and resource prefix for the types the stand-ins know. */
const ARN_SHAPE: Record<string, (name: string) => [service: string, resource: string]> = {
  'AWS::SQS::Queue': (n) => ['sqs', n],
  'AWS::Lambda::Function': (n) => ['lambda', `function:${n}`],
  'AWS::Events::EventBus': (n) => ['events', `event-bus/${n}`],
  'AWS::Events::Rule': (n) => ['events', `rule/${n}`],
  'AWS::DynamoDB::Table': (n) => ['dynamodb', `table/${n}`],
  'AWS::S3::Bucket': (n) => ['s3', n],
  'AWS::Kinesis::Stream': (n) => ['kinesis', `stream/${n}`],
  'AWS::IAM::Role': (n) => ['iam', `role/${n}`],
  'AWS::Pipes::Pipe': (n) => ['pipes', `pipe/${n}`],
  'AWS::KinesisFirehose::DeliveryStream': (n) => ['firehose', `deliverystream/${n}`],
  'AWS::IoT::TopicRule': (n) => ['iot', `rule/${n}`],
  'AWS::IoT::Authorizer': (n) => ['iot', `authorizer/${n}`],
  'AWS::Logs::LogGroup': (n) => ['logs', `log-group:${n}`],
};

/**
 * Resolves template values (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If and
 * the condition functions) to the names and ARNs the local stand-ins use. A resource without an
 * explicit name gets `<stackName>-<logicalId>`, as CloudFormation would generate something unique.
 *
 * @example
 * const r = new TemplateResolver(template, { stackName: 'my-service-dev', region: 'us-east-1', accountId: '000000000000' });
 * r.physicalName('EventsBus'); // 'my-service-dev-events'
 * r.resolve({ 'Fn::GetAtt': ['FairQueue', 'Arn'] }); // 'arn:aws:sqs:us-east-1:000000000000:...'
 */
export class TemplateResolver {
  readonly template: CfnTemplate;
  readonly stack: Required<Omit<StackContext, 'parameters'>> & { parameters: Record<string, unknown> };
  /** Extra attribute values a stand-in knows (e.g. a queue URL on a real local port): `${logicalId}.${attr}`. */
  readonly overrides = new Map<string, unknown>();

  constructor(template: CfnTemplate, stack: StackContext) {
    this.template = template;
    this.stack = { partition: 'aws', parameters: {}, ...stack } as TemplateResolver['stack'];
  }

  resource(logicalId: string): CfnResource {
    const r = this.template.Resources[logicalId];
    if (!r) throw new UnsupportedIntrinsicError(`a reference to unknown resource "${logicalId}"`, logicalId);
    return r;
  }

  physicalName(logicalId: string): string {
    const r = this.resource(logicalId);
    const prop = NAME_PROPERTY[r.Type];
    const explicit = prop ? r.Properties?.[prop] : undefined;
    if (explicit !== undefined) return String(this.resolve(explicit, `${logicalId}.${prop}`));
    // S3 bucket names must be lower case (CloudFormation lower-cases the names it generates) and at most 63 long.
    if (r.Type === 'AWS::S3::Bucket') return `${this.stack.stackName}-${logicalId}`.toLowerCase().slice(0, 63);
    return `${this.stack.stackName}-${logicalId}`.slice(0, 64);
  }

  arn(logicalId: string): string {
    const r = this.resource(logicalId);
    const name = this.physicalName(logicalId);
    const shape = ARN_SHAPE[r.Type];
    const [service, resource] = shape ? shape(name) : [r.Type.split('::')[1]?.toLowerCase() ?? 'unknown', name];
    const { partition, region, accountId } = this.stack;
    if (service === 's3') return `arn:${partition}:s3:::${resource}`;
    if (service === 'iam') return `arn:${partition}:iam::${accountId}:${resource}`;
    return `arn:${partition}:${service}:${region}:${accountId}:${resource}`;
  }

  ref(logicalId: string): unknown {
    const override = this.overrides.get(`${logicalId}.Ref`);
    if (override !== undefined) return override;
    switch (logicalId) {
      case 'AWS::Region':
        return this.stack.region;
      case 'AWS::AccountId':
        return this.stack.accountId;
      case 'AWS::StackName':
        return this.stack.stackName;
      case 'AWS::Partition':
        return this.stack.partition;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return undefined;
      case 'AWS::StackId':
        return `arn:${this.stack.partition}:cloudformation:${this.stack.region}:${this.stack.accountId}:stack/${this.stack.stackName}/local`;
    }
    const parameter = this.template.Parameters?.[logicalId];
    if (parameter) return this.stack.parameters[logicalId] ?? parameter.Default;
    const r = this.resource(logicalId);
    if (r.Type === 'AWS::SQS::Queue') {
      const { region, accountId } = this.stack;
      return `https://sqs.${region}.amazonaws.com/${accountId}/${this.physicalName(logicalId)}`;
    }
    if (r.Type === 'AWS::Events::Rule') return `${this.physicalName(logicalId)}`;
    return this.physicalName(logicalId);
  }

  getAtt(logicalId: string, attribute: string): unknown {
    const override = this.overrides.get(`${logicalId}.${attribute}`);
    if (override !== undefined) return override;
    const r = this.resource(logicalId);
    if (attribute === 'Arn') return this.arn(logicalId);
    if (attribute === 'Name' || attribute === 'QueueName' || attribute === 'StreamName') {
      return this.physicalName(logicalId);
    }
    if (r.Type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return this.ref(logicalId);
    throw new UnsupportedIntrinsicError(`Fn::GetAtt ${logicalId}.${attribute}`, logicalId);
  }

  /** Resolves every intrinsic in `value`, recursively. `where` names the place in errors. */
  resolve(value: unknown, where = 'template'): unknown {
    if (Array.isArray(value))
      return value.map((v, i) => this.resolve(v, `${where}[${i}]`)).filter((v) => v !== undefined);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0] as [string, unknown];
      switch (key) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, ...attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
          return this.getAtt(String(id), attr.join('.'));
        }
        case 'Fn::Sub':
          return this.sub(arg, where);
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return (this.resolve(parts, where) as unknown[]).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (this.resolve(list, where) as unknown[])[Number(this.resolve(index, where))];
        }
        case 'Fn::Split': {
          const [sep, source] = arg as [string, unknown];
          return String(this.resolve(source, where)).split(sep);
        }
        case 'Fn::If': {
          const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
          return this.resolve(evaluateCondition(this.template, condition, this.stack) ? whenTrue : whenFalse, where);
        }
        case 'Fn::ImportValue':
        case 'Fn::GetAZs':
        case 'Fn::Cidr':
        case 'Fn::FindInMap':
          throw new UnsupportedIntrinsicError(key, where);
      }
    }
    return Object.fromEntries(
      entries.map(([k, v]) => [k, this.resolve(v, `${where}.${k}`)]).filter(([, v]) => v !== undefined),
    );
  }

  private sub(arg: unknown, where: string): string {
    const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in vars) return String(this.resolve(vars[name], where));
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return String(this.getAtt(name.slice(0, dot), name.slice(dot + 1)));
      return String(this.ref(name));
    });
  }
}

/** Evaluates a named condition of the template (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition). */
export function evaluateCondition(template: CfnTemplate, name: string, stack: StackContext): boolean {
  const resolver = new TemplateResolver(template, stack);
  const evaluate = (expr: unknown): boolean => {
    if (typeof expr === 'boolean') return expr;
    const [key, arg] = Object.entries(expr as Record<string, unknown>)[0] ?? [];
    switch (key) {
      case 'Fn::Equals': {
        const [a, b] = arg as [unknown, unknown];
        return String(resolver.resolve(a)) === String(resolver.resolve(b));
      }
      case 'Fn::Not':
        return !evaluate((arg as unknown[])[0]);
      case 'Fn::And':
        return (arg as unknown[]).every(evaluate);
      case 'Fn::Or':
        return (arg as unknown[]).some(evaluate);
      case 'Condition':
        return evaluateCondition(template, String(arg), stack);
    }
    throw new UnsupportedIntrinsicError(`condition ${JSON.stringify(expr)}`, `Conditions.${name}`);
  };
  const expr = template.Conditions?.[name];
  if (expr === undefined) throw new UnsupportedIntrinsicError(`unknown condition "${name}"`, 'Conditions');
  return evaluate(expr);
}
