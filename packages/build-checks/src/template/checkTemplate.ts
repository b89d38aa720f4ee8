import type { CfnTemplate } from '@blueprints/packaging';
import { isPlainObject } from './references.js';
import { type CloudFormationSpec, loadCloudFormationSpec, type SpecProperty, type SpecType } from './spec.js';

/** Spec rules (the template would fail or misbehave in CloudFormation) and least-privilege rules. */
export type SpecRule =
  | 'unknown-resource-type'
  | 'unknown-property'
  | 'missing-required-property'
  | 'wrong-shape'
  | 'bad-getatt'
  | 'bad-ref'
  | 'bad-exception';
export type LintRule =
  | 'iam-action-star'
  | 'iam-write-on-star'
  | 's3-encryption'
  | 's3-public-access'
  | 'sqs-dlq'
  | 'log-retention'
  | 'dlq-alarm'
  | 'pipe-alarm'
  | 'async-on-failure'
  | 'iot-error-action'
  | 'rule-target-dlq'
  | 'secret-in-environment'
  | 'http-api-throttling'
  | 'public-concurrency'
  | 'iot-authorizer-timeout';
export const LINT_RULES: readonly LintRule[] = [
  'iam-action-star',
  'iam-write-on-star',
  's3-encryption',
  's3-public-access',
  'sqs-dlq',
  'log-retention',
  'dlq-alarm',
  'pipe-alarm',
  'async-on-failure',
  'iot-error-action',
  'rule-target-dlq',
  'secret-in-environment',
  'http-api-throttling',
  'public-concurrency',
  'iot-authorizer-timeout',
];

export interface Violation {
  /** Logical id of the resource (or `Outputs.X`). */
  resource: string;
  /** Where inside it, e.g. `Properties.Auth[0].IAMAuth`. */
  path: string;
  rule: SpecRule | LintRule;
  message: string;
}

/** Receives each violation a lint finds. */
export type Report = (violation: Violation) => void;

/** One lint rule family: walks a template and reports what it finds. */
export type Lint = (template: CfnTemplate, report: Report) => void;

/** Runs lints over a template and returns their violations, in the order the lints report them. */
export function runLints(template: CfnTemplate, lints: Lint[]): Violation[] {
  const found: Violation[] = [];
  for (const lint of lints) lint(template, (violation) => found.push(violation));
  return found;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
]);

function isIntrinsic(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'));
}

function isCustomResource(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

function describeShape(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Validates property values against the specification's types, recursively. */
class ShapeChecker {
  constructor(
    private readonly spec: CloudFormationSpec,
    private readonly report: (path: string, rule: SpecRule, message: string) => void,
  ) {}

  properties(value: Record<string, unknown>, props: Record<string, SpecProperty>, owner: string, path: string): void {
    for (const [key, child] of Object.entries(value)) {
      const prop = props[key];
      if (!prop) {
        this.report(
          `${path}.${key}`,
          'unknown-property',
          `${key} is not a property of ${owner}${this.hint(key, props)}`,
        );
        continue;
      }
      this.value(child, prop.type, `${path}.${key}`, prop.previousTypes);
    }
    for (const [key, prop] of Object.entries(props)) {
      if (prop.required && !(key in value)) {
        this.report(`${path}.${key}`, 'missing-required-property', `${owner} requires ${key}`);
      }
    }
  }

  /** "did you mean" for a misspelling; "belongs inside X" for a property placed one level too high. */
  private hint(key: string, props: Record<string, SpecProperty>): string {
    const lower = key.toLowerCase();
    const near = Object.keys(props).find((p) => p.toLowerCase() === lower || editDistance(p.toLowerCase(), lower) <= 2);
    if (near) return ` (did you mean ${near}?)`;
    for (const [name, prop] of Object.entries(props)) {
      const nested = this.nestedProperties(prop.type);
      if (nested && key in nested) return ` (it belongs inside ${name})`;
    }
    return '';
  }

  private nestedProperties(type: SpecType): Record<string, SpecProperty> | undefined {
    if (type.type === 'ref') return this.spec.typeDefinitions.get(type.reference.$ref)?.properties;
    if (type.type === 'array' || type.type === 'map') return this.nestedProperties(type.element);
    return undefined;
  }

  private collect(value: unknown, type: SpecType, path: string): Array<[string, SpecRule, string]> {
    const found: Array<[string, SpecRule, string]> = [];
    new ShapeChecker(this.spec, (p, r, m) => found.push([p, r, m])).value(value, type, path);
    return found;
  }

  value(value: unknown, type: SpecType, path: string, alternatives: SpecType[] = []): void {
    if (isIntrinsic(value)) return;
    const candidates = [type, ...alternatives];
    if (candidates.length > 1 || type.type === 'union') {
      const flat = candidates.flatMap((t) => (t.type === 'union' ? t.types : [t]));
      const results = flat.map((t) => this.collect(value, t, path));
      if (results.some((r) => r.length === 0)) return;
      const best = results.reduce((a, b) => (b.length < a.length ? b : a));
      for (const [p, r, m] of best) this.report(p, r, m);
      return;
    }
    switch (type.type) {
      case 'string':
      case 'integer':
      case 'number':
      case 'boolean':
      case 'date-time':
        if (typeof value === 'object' && value !== null) {
          this.report(path, 'wrong-shape', `expected a ${type.type}, got ${describeShape(value)}`);
        }
        return;
      case 'json':
      case 'null':
        return;
      case 'tag':
        if (!isPlainObject(value) || !('Key' in value) || !('Value' in value)) {
          this.report(path, 'wrong-shape', 'expected a tag { Key, Value }');
        }
        return;
      case 'array':
        if (!Array.isArray(value)) {
          this.report(path, 'wrong-shape', `expected a list, got ${describeShape(value)}`);
          return;
        }
        value.forEach((v, i) => {
          this.value(v, type.element, `${path}[${i}]`);
        });
        return;
      case 'map':
        if (!isPlainObject(value)) {
          this.report(path, 'wrong-shape', `expected a map, got ${describeShape(value)}`);
          return;
        }
        for (const [k, v] of Object.entries(value)) this.value(v, type.element, `${path}.${k}`);
        return;
      case 'ref': {
        const def = this.spec.typeDefinitions.get(type.reference.$ref);
        if (!def) return;
        if (!isPlainObject(value)) {
          this.report(path, 'wrong-shape', `expected a ${def.name} object, got ${describeShape(value)}`);
          return;
        }
        this.properties(value, def.properties, def.name, path);
        return;
      }
    }
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** Walks every value, calling `visit` with each intrinsic function found and its path. */
function walkIntrinsics(value: unknown, path: string, visit: (fn: string, arg: unknown, path: string) => void): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walkIntrinsics(v, `${path}[${i}]`, visit);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  if (isIntrinsic(value)) {
    const [fn, arg] = Object.entries(value)[0]!;
    visit(fn, arg, path);
  }
  for (const [k, v] of Object.entries(value)) walkIntrinsics(v, `${path}.${k}`, visit);
}

/** Checks Ref, Fn::GetAtt, Fn::Sub references and DependsOn against the template and the spec. */
function checkReferences(template: CfnTemplate, spec: CloudFormationSpec, violations: Violation[]): void {
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const checkGetAtt = (owner: string, path: string, id: string, attribute: string): void => {
    const target = template.Resources[id];
    if (!target) {
      violations.push({
        resource: owner,
        path,
        rule: 'bad-getatt',
        message: `Fn::GetAtt names unknown resource ${id}`,
      });
      return;
    }
    if (isCustomResource(target.Type)) return;
    const attributes = spec.resources.get(target.Type)?.attributes;
    if (attributes && !(attribute in attributes)) {
      const known = Object.keys(attributes).join(', ') || 'none';
      violations.push({
        resource: owner,
        path,
        rule: 'bad-getatt',
        message: `Fn::GetAtt ${id}.${attribute}: ${target.Type} has no attribute ${attribute} (it has: ${known})`,
      });
    }
  };
  const checkRef = (owner: string, path: string, name: string, extra: Set<string> = new Set()): void => {
    if (PSEUDO_PARAMETERS.has(name) || parameters.has(name) || name in template.Resources || extra.has(name)) return;
    violations.push({
      resource: owner,
      path,
      rule: 'bad-ref',
      message: `Ref names unknown resource or parameter ${name}`,
    });
  };
  const visitor =
    (owner: string) =>
    (fn: string, arg: unknown, path: string): void => {
      if (fn === 'Ref' && typeof arg === 'string') checkRef(owner, path, arg);
      if (fn === 'Fn::GetAtt') {
        const [id, ...rest] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        if (typeof rest[0] === 'string') checkGetAtt(owner, path, String(id), rest.join('.'));
      }
      if (fn === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg)
          ? [String(arg[0]), (arg[1] ?? {}) as Record<string, unknown>]
          : [String(arg), {}];
        const local = new Set(Object.keys(vars));
        for (const [, name] of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const ref = String(name).trim();
          const dot = ref.indexOf('.');
          if (dot > 0 && !ref.startsWith('AWS::') && !local.has(ref))
            checkGetAtt(owner, path, ref.slice(0, dot), ref.slice(dot + 1));
          else checkRef(owner, path, ref, local);
        }
      }
    };
  for (const [id, resource] of Object.entries(template.Resources)) {
    walkIntrinsics(resource.Properties, `${id}.Properties`, (fn, arg, path) =>
      visitor(id)(fn, arg, path.slice(id.length + 1)),
    );
    for (const dep of [resource.DependsOn ?? []].flat()) {
      if (!(dep in template.Resources)) {
        violations.push({
          resource: id,
          path: 'DependsOn',
          rule: 'bad-ref',
          message: `DependsOn names unknown resource ${dep}`,
        });
      }
    }
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    walkIntrinsics((output as { Value?: unknown })?.Value, 'Value', visitor(`Outputs.${name}`));
  }
}

/**
 * Checks a template against the CloudFormation resource specification: every resource type exists,
 * every property and nested property exists and has the right shape, required properties are
 * present, every Ref / Fn::GetAtt / Fn::Sub reference resolves to a real resource and attribute.
 *
 * @example
 * const violations = checkTemplateSpec(JSON.parse(readFileSync(file, 'utf8')));
 */
export function checkTemplateSpec(
  template: CfnTemplate,
  spec: CloudFormationSpec = loadCloudFormationSpec(),
): Violation[] {
  const violations: Violation[] = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const report = (path: string, rule: SpecRule, message: string): void => {
      violations.push({ resource: id, path, rule, message });
    };
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key))
        report(key, 'unknown-property', `${key} is not a resource attribute (Type, Properties, DependsOn, ...)`);
    }
    if (isCustomResource(resource.Type)) {
      if (!resource.Properties || !('ServiceToken' in resource.Properties)) {
        report('Properties.ServiceToken', 'missing-required-property', `${resource.Type} requires ServiceToken`);
      }
      continue;
    }
    const type = spec.resources.get(resource.Type);
    if (!type) {
      report('Type', 'unknown-resource-type', `${resource.Type} is not a CloudFormation resource type`);
      continue;
    }
    const properties = resource.Properties ?? {};
    if (!isPlainObject(properties)) {
      report('Properties', 'wrong-shape', `expected an object, got ${describeShape(properties)}`);
      continue;
    }
    new ShapeChecker(spec, report).properties(properties, type.properties, resource.Type, 'Properties');
  }
  checkReferences(template, spec, violations);
  return violations;
}
