import type { CfnTemplate } from '@blueprints/packaging';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function asList(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The logical id an `Fn::GetAtt [X, Arn]` / `Ref X` points at, if it is one. */
export function referencedId(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const att = value['Fn::GetAtt'];
  if (Array.isArray(att)) return String(att[0]);
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}

/**
 * Every logical id a value refers to, however deep: `Ref`, `Fn::GetAtt`, and `${X}` / `${X.Attr}`
 * inside `Fn::Sub` (so `Fn::Join` and `Fn::Sub` ARNs built from a resource count too).
 *
 * @example
 * referencedIds({ 'Fn::Sub': '${Queue.QueueName}' }); // Set { 'Queue' }
 */
export function referencedIds(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, found);
    return found;
  }
  if (!isPlainObject(value)) return found;
  const direct = referencedId(value);
  if (direct !== undefined && !direct.startsWith('AWS::')) found.add(direct);
  const sub = value['Fn::Sub'];
  const text = Array.isArray(sub) ? sub[0] : sub;
  if (typeof text === 'string') {
    for (const [, name] of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
      const id = String(name).trim().split('.')[0]!;
      if (!id.startsWith('AWS::')) found.add(id);
    }
  }
  for (const v of Object.values(value)) referencedIds(v, found);
  return found;
}

/** The ids among `referencedIds(value)` whose resources have the given type. */
export function referencedOfType(template: CfnTemplate, value: unknown, type: string): string[] {
  return [...referencedIds(value)].filter((id) => template.Resources[id]?.Type === type);
}

const FUNCTION_WRAPPERS = new Set(['AWS::Lambda::Version', 'AWS::Lambda::Alias']);

/**
 * The logical id of the `AWS::Lambda::Function` a value names: a reference to the function, to one
 * of its versions or aliases, or its literal `FunctionName`.
 */
export function functionIdOf(template: CfnTemplate, value: unknown): string | undefined {
  if (typeof value === 'string') {
    const name = value.includes(':function:') ? value.split(':function:')[1]!.split(':')[0] : value;
    return Object.entries(template.Resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties?.FunctionName === name,
    )?.[0];
  }
  for (const id of referencedIds(value)) {
    const resource = template.Resources[id];
    if (resource?.Type === 'AWS::Lambda::Function') return id;
    if (resource && FUNCTION_WRAPPERS.has(resource.Type))
      return functionIdOf(template, resource.Properties?.FunctionName);
  }
  return undefined;
}

/** Every resource of one type, as `[logicalId, resource]`. */
export function resourcesOfType(template: CfnTemplate, type: string) {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}
