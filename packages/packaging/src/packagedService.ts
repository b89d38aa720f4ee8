import { join } from 'node:path';
import { readDotenv } from './dotenv.js';
import { packageFolder, readPackagedFile } from './packageFolder.js';
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
  /**
   * Values for what only CloudFormation can compute, for local runs (`pnpm dev`, `invoke local`): see
   * {@link localEnvironment}.
   */
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
    /** serverless.yml as osls read it, before resolving variables (`useDotenv` is only here). */
    initialServerlessConfig?: { useDotenv?: unknown };
  };
}

/** What serverless.yml says about local runs. */
export interface LocalSettings {
  /** `useDotenv: true` at the top of serverless.yml. */
  useDotenv?: unknown;
  /** `custom:` of serverless.yml; `custom.local.environment` holds committed local values. */
  custom?: { local?: { environment?: Record<string, unknown> } };
}

/**
 * The values a local run gives to environment variables only CloudFormation can compute (a `Fn::GetAtt`,
 * a custom resource attribute, a `{{resolve:...}}` reference): `custom.local.environment` from
 * serverless.yml, overlaid, when serverless.yml sets `useDotenv: true`, with the variables of the
 * service's `.env.<stage>` or `.env` as osls loads them ({@link readDotenv}): the developer's own values
 * over the committed ones. The same table for `pnpm dev` (through {@link readPackagedServiceState}) and
 * for `osls invoke local` (the osls plugin).
 *
 * @example
 * localEnvironment('services/my-service', 'dev', { useDotenv: true, custom: { local: { environment: { A: '1' } } } });
 */
export function localEnvironment(
  serviceDir: string,
  stage: string,
  settings: LocalSettings,
  shell: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const committed = Object.entries(settings.custom?.local?.environment ?? {}).map(
    ([name, value]) => [name, String(value)] as const,
  );
  const dotenv = settings.useDotenv === true ? readDotenv(serviceDir, stage, shell)?.variables : undefined;
  return { ...Object.fromEntries(committed), ...dotenv };
}

/**
 * Reads the state `osls package` wrote for a service (`.serverless/serverless-state.json`, or
 * `.serverless-<stage>/` for a second stage).
 *
 * @example
 * const state = readPackagedServiceState('services/my-service');
 * state.functions.map((f) => f.key); // ['publish', 'store', ...]
 */
export function readPackagedServiceState(serviceDir: string, stage?: string): PackagedServiceState {
  const file = join(serviceDir, packageFolder(stage), 'serverless-state.json');
  let raw: RawServerlessState;
  try {
    raw = JSON.parse(readPackagedFile(serviceDir, stage, 'serverless-state.json')) as RawServerlessState;
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
    localEnvironment: localEnvironment(serviceDir, packagedStage, {
      useDotenv: raw.service?.initialServerlessConfig?.useDotenv,
      custom,
    }),
    custom,
  };
}

export class UnresolvableEnvironmentError extends Error {
  constructor(fn: string, variable: string, why: string) {
    super(
      `${fn}: environment variable ${variable} cannot be computed locally (${why}); give it a value under custom.local.environment in serverless.yml, or in .env with useDotenv: true`,
    );
    this.name = 'UnresolvableEnvironmentError';
  }
}

/**
 * A function's environment as its template declares it, each variable resolved on its own: a value
 * only CloudFormation can compute (a custom resource attribute, an RDS endpoint, a `{{resolve:...}}`
 * dynamic reference) falls back to `localEnvironment` (`custom.local.environment` and, with `useDotenv`,
 * the service's `.env`), the same table `osls invoke local` reads. A variable in neither place goes to `unresolvable`, which by default throws
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
