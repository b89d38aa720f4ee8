import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalFunction } from '@blueprints/local-runtime';
import {
  ensurePackaged,
  loadPackagedTemplate,
  type PackagingProgress,
  readPackagedServiceState,
  resourcesOfType,
  TemplateResolver,
} from '@blueprints/packaging';
import { devFunctionsFromTemplate } from './localFunctions.js';

export class UnknownServiceError extends Error {
  constructor(name: string, known: string[]) {
    super(`No service "${name}" in services/. Services: ${known.join(', ')}`);
    this.name = 'UnknownServiceError';
  }
}

/** A service folder resolved from its packaged template, before anything runs it. */
export interface ResolvedService {
  name: string;
  dir: string;
  resolver: TemplateResolver;
  functions: LocalFunction[];
}

/** Every folder of `services/` with a serverless.yml, sorted (its index fixes its HTTP port). */
export function listServices(rootDir: string): string[] {
  const dir = join(rootDir, 'services');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'serverless.yml')))
    .sort();
}

export const hasResource = (resolver: TemplateResolver, ...types: string[]) =>
  types.some((type) => resourcesOfType(resolver.template, type, resolver.stack).length > 0);

/** The start-up line for one packaging step of a service. */
export function packagingLine(name: string, progress: PackagingProgress): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  switch (progress.kind) {
    case 'up-to-date':
      return `${name}: package up to date`;
    case 'packaging':
      return `packaging ${name} (osls package: its sources changed)…`;
    case 'still-packaging':
      return `still packaging ${name} (${seconds(progress.elapsedMs)})…`;
    case 'packaged':
      return `packaged ${name} in ${seconds(progress.elapsedMs)}`;
  }
}

/** `osls package` for each service whose sources changed since its last package, with a line per step. */
export async function packageServices(rootDir: string, names: string[], progress: (line: string) => void) {
  progress(`checking ${names.length} service(s) for changes since their last package…`);
  for (const name of names) {
    await ensurePackaged(join(rootDir, 'services', name), { onProgress: (p) => progress(packagingLine(name, p)) });
  }
}

/**
 * A packaged service's template as stack `<service>-<stage>`, provisioned by `provision`, with its
 * functions at `logLevel`. The functions are read after provisioning: their variables that name a
 * queue or a secret resolve to what the stand-ins created.
 */
export async function resolveService(
  rootDir: string,
  name: string,
  stack: { stage: string; region: string; accountId: string; logLevel: string },
  provision: (resolver: TemplateResolver) => Promise<void>,
): Promise<ResolvedService> {
  const dir = join(rootDir, 'services', name);
  const state = readPackagedServiceState(dir);
  const resolver = new TemplateResolver(loadPackagedTemplate(dir), {
    stackName: `${state.service || name}-${stack.stage}`,
    region: stack.region,
    accountId: stack.accountId,
  });
  await provision(resolver);
  const functions = devFunctionsFromTemplate(resolver, state.localEnvironment);
  for (const fn of functions) fn.environment.POWERTOOLS_LOG_LEVEL = stack.logLevel;
  return { name, dir, resolver, functions };
}
