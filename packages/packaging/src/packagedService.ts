import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourcesOfType, type TemplateResolver } from './template.js';

/** One function as `osls package` recorded it. */
export interface PackagedFunction {
  /** The function's key under `functions:` in serverless.yml; its zip is `.serverless/<key>.zip`. */
  key: string;
  /** The deployed function name (`<service>-<stage>-<key>` unless serverless.yml names it). */
  name: string;
  /** `src/handlers/x.handler`: file path without extension, then the export. */
  handler: string;
}

/** What `osls package` recorded about a service (`serverless-state.json`), read once and typed once. */
export interface PackagedServiceState {
  /** `service:` of serverless.yml. */
  service: string;
  stage: string;
  /** The CloudFormation stack the service deploys as. */
  stackName: string;
  functions: PackagedFunction[];
  /** `custom.local.environment`: values for what only CloudFormation can compute (also read by `invoke local`). */
  localEnvironment: Record<string, string>;
  /** Everything under `custom:` (e.g. the bundle settings), as serverless.yml wrote it. */
  custom: Record<string, unknown>;
}

export class PackagedStateMissingError extends Error {
  constructor(file: string, serviceDir: string) {
    super(`${file} is missing: run \`osls package\` in ${serviceDir}`);
    this.name = 'PackagedStateMissingError';
  }
}

/** The slice of serverless-state.json the model reads. */
interface RawServerlessState {
  service?: {
    service?: string;
    provider?: { stage?: string; stackName?: string };
    functions?: Record<string, { name?: string; handler?: string }>;
    custom?: Record<string, unknown> & { local?: { environment?: Record<string, unknown> } };
  };
}

/**
 * Reads the state `osls package` wrote for a service (`.serverless/serverless-state.json`, or
 * `.serverless-<stage>/` for a second stage).
 *
 * @example
 * const state = readPackagedServiceState('services/orders');
 * state.functions.map((f) => f.key); // ['publish', 'store', ...]
 */
export function readPackagedServiceState(serviceDir: string, stage?: string): PackagedServiceState {
  const folder = stage === undefined ? '.serverless' : `.serverless-${stage}`;
  const file = join(serviceDir, folder, 'serverless-state.json');
  let raw: RawServerlessState;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as RawServerlessState;
  } catch {
    throw new PackagedStateMissingError(file, serviceDir);
  }
  const service = String(raw.service?.service ?? '');
  const packagedStage = raw.service?.provider?.stage ?? 'dev';
  const custom = raw.service?.custom ?? {};
  return {
    service,
    stage: packagedStage,
    stackName: raw.service?.provider?.stackName ?? `${service}-${packagedStage}`,
    functions: Object.entries(raw.service?.functions ?? {}).map(([key, fn]) => ({
      key,
      name: fn.name ?? key,
      handler: String(fn.handler ?? ''),
    })),
    localEnvironment: Object.fromEntries(
      Object.entries(custom.local?.environment ?? {}).map(([name, value]) => [name, String(value)]),
    ),
    custom,
  };
}

export class UnresolvableEnvironmentError extends Error {
  constructor(fn: string, variable: string, why: string) {
    super(
      `${fn}: environment variable ${variable} cannot be computed locally (${why}); give it a value under custom.local.environment in serverless.yml`,
    );
    this.name = 'UnresolvableEnvironmentError';
  }
}

/**
 * A function's environment as its template declares it, each variable resolved on its own: a value
 * only CloudFormation can compute (a custom resource attribute, an RDS endpoint, a `{{resolve:...}}`
 * dynamic reference) falls back to `custom.local.environment`, the same table `osls invoke local`
 * reads. A variable in neither place goes to `unresolvable`, which by default throws
 * `UnresolvableEnvironmentError` naming it.
 *
 * @example
 * const state = readPackagedServiceState(dir);
 * const env = functionEnvironment(resolver, 'PublishLambdaFunction', state.localEnvironment);
 */
export function functionEnvironment(
  resolver: TemplateResolver,
  logicalId: string,
  localEnvironment: Record<string, string>,
  unresolvable: (variable: string, why: string) => string = (variable, why) => {
    throw new UnresolvableEnvironmentError(resolver.physicalName(logicalId), variable, why);
  },
): Record<string, string> {
  const properties = resolver.template.Resources[logicalId]?.Properties ?? {};
  const variables = ((properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
    {}) as Record<string, unknown>;
  const environment: Record<string, string> = {};
  for (const [key, raw] of Object.entries(variables)) {
    let value: string | undefined;
    let why = '';
    try {
      value = String(resolver.resolve(raw, `${logicalId}.Environment.${key}`));
      if (value.includes('{{resolve:')) {
        why = 'a dynamic reference';
        value = undefined;
      }
    } catch (error) {
      why = (error as Error).message;
    }
    environment[key] = value ?? localEnvironment[key] ?? unresolvable(key, why);
  }
  return environment;
}

/** The logical id of the template's `AWS::Lambda::Function` deployed under `name`, if any. */
export function functionLogicalId(resolver: TemplateResolver, name: string): string | undefined {
  return resourcesOfType(resolver.template, 'AWS::Lambda::Function', resolver.stack).find(
    ([logicalId]) => resolver.physicalName(logicalId) === name,
  )?.[0];
}
