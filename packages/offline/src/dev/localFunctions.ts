import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourcesOfType, type TemplateResolver } from '../cloudformation/template.js';
import type { LocalFunction } from '../lambda/LocalLambda.js';

/** What `osls package` recorded about a service (`.serverless/serverless-state.json`). */
export interface PackagedServiceState {
  /** `service:` of serverless.yml. */
  name: string;
  /** `custom.local.environment`: values for what only CloudFormation can compute (also used by `invoke local`). */
  localEnvironment: Record<string, string>;
}

export function readPackagedServiceState(serviceDir: string): PackagedServiceState {
  const file = join(serviceDir, '.serverless', 'serverless-state.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`osls package\` in ${serviceDir}`);
  const state = JSON.parse(readFileSync(file, 'utf8')) as {
    service?: { service?: string; custom?: { local?: { environment?: Record<string, unknown> } } };
  };
  const environment = state.service?.custom?.local?.environment ?? {};
  return {
    name: String(state.service?.service ?? ''),
    localEnvironment: Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)])),
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
 * Like `functionsFromTemplate`, but each environment variable is resolved on its own: a value only
 * CloudFormation can compute (a custom resource attribute, an RDS endpoint, a `{{resolve:...}}`
 * dynamic reference) falls back to `custom.local.environment`, the same table `osls invoke local`
 * reads. A variable in neither place is an error naming it.
 */
export function devFunctionsFromTemplate(
  resolver: TemplateResolver,
  localEnvironment: Record<string, string>,
): LocalFunction[] {
  return resourcesOfType(resolver.template, 'AWS::Lambda::Function', resolver.stack).map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    const name = resolver.physicalName(logicalId);
    const variables = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
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
      value ??= localEnvironment[key];
      if (value === undefined) throw new UnresolvableEnvironmentError(name, key, why);
      environment[key] = value;
    }
    return {
      logicalId,
      name,
      arn: resolver.arn(logicalId),
      handler: String(p.Handler),
      environment,
      timeoutSeconds: Number(p.Timeout ?? 6),
      memorySize: Number(p.MemorySize ?? 1024),
    };
  });
}
