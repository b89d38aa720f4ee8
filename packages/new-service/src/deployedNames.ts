import { loadPackagedTemplate, readPackagedServiceState } from '@blueprints/packaging';
import { nameVariants } from './names.js';

/** A name a deployed stack claims in the account: the stack itself, a resource's physical name, an export. */
export interface DeployedName {
  where: string;
  value: string;
}

/** Top-level properties that set a physical name (unique per account/region when deployed). */
const NAME_KEY = /(^Name$|Name$|Identifier$)/;
// Names scoped to a parent resource (not the account), or not names at all.
const NOT_A_NAME = new Set([
  'KeyName',
  'IndexName',
  'AttributeName',
  'MetricName',
  'PolicyName',
  'TargetGroupName',
  'DBName',
  'DatabaseName',
  'StageName',
  'LogStreamName',
]);

/** A value that points at another resource of the same stack (`Ref`, `Fn::GetAtt`) names nothing new. */
function isReference(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Fn::GetAtt' || keys[0] === 'Fn::ImportValue');
}

/**
 * Every name a packaged service would claim on deploy: its stack name, each resource's physical
 * name properties (`QueueName`, `AuthorizerName`, `RuleName`, `DBProxyName`, ...) and output export
 * names — the places where two copies of a service collide.
 *
 * @example
 * deployedNames('services/shop-live').filter((n) => n.value.includes('live-feed'));
 */
export function deployedNames(serviceDir: string): DeployedName[] {
  const template = loadPackagedTemplate(serviceDir);
  const names: DeployedName[] = [{ where: 'stack name', value: readPackagedServiceState(serviceDir).stackName }];
  for (const [id, resource] of Object.entries(template.Resources)) {
    for (const [key, value] of Object.entries(resource.Properties ?? {})) {
      if (NAME_KEY.test(key) && !NOT_A_NAME.has(key) && !isReference(value))
        names.push({ where: `${id}.${key}`, value: JSON.stringify(value) });
    }
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    if (output.Export?.Name !== undefined)
      names.push({ where: `Outputs.${id}.Export.Name`, value: JSON.stringify(output.Export.Name) });
  }
  return names;
}

/** The deployed names that still carry any spelling of `original` (kebab, snake, camel, ...). */
export function namesStillCarrying(names: DeployedName[], original: string): DeployedName[] {
  const spellings = nameVariants(original).map(([, v]) => v);
  return names.filter(({ value }) => spellings.some((s) => value.includes(s)));
}

/** The deployed names that carry neither the service's name nor the stack name: two stages or forks would share them. */
export function namesNotScopedTo(names: DeployedName[], service: string): DeployedName[] {
  const spellings = nameVariants(service).map(([, v]) => v);
  return names.filter(({ value }) => !value.includes('AWS::StackName') && !spellings.some((s) => value.includes(s)));
}
