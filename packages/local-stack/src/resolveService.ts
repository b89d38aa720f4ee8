import { basename, resolve } from 'node:path';
import type { LocalFunction } from '@blueprints/local-runtime';
import {
  ensurePackaged,
  loadPackagedTemplate,
  readPackagedServiceState,
  resourcesOfType,
  TemplateResolver,
} from '@blueprints/packaging';
import { loadLocalWiring } from './loadLocalWiring.js';
import type { LocalWiring } from './localWiring.js';
import { serviceFunctionsFromTemplate } from './serviceFunctions.js';

/** A service folder resolved from its packaged template, before anything runs it. */
export interface ResolvedService {
  /** Its folder name. */
  name: string;
  dir: string;
  resolver: TemplateResolver;
  functions: LocalFunction[];
  /** What the service declares in its `local.ts` (`{}` without one). */
  wiring: LocalWiring;
}

export const hasResource = (resolver: TemplateResolver, ...types: string[]) =>
  types.some((type) => resourcesOfType(resolver.template, type, resolver.stack).length > 0);

/** `osls package` for a service whose sources changed since its last package; a line when it takes a while. */
export async function packageService(dir: string, progress: (line: string) => void): Promise<void> {
  const name = basename(dir);
  const t = Date.now();
  // Only worth a line when osls actually runs (a changed service: tens of seconds).
  const notice = setTimeout(() => progress(`packaging ${name} (osls package: its sources changed)…`), 1000);
  await ensurePackaged(dir).finally(() => clearTimeout(notice));
  if (Date.now() - t >= 1000) progress(`packaged ${name} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

/**
 * A packaged service's template as stack `<service>-<stage>`, provisioned by `provision`, with its
 * local wiring. The functions are read after provisioning: their variables that name a queue or a
 * secret resolve to what the stand-ins created.
 */
export async function resolveService(
  serviceDir: string,
  stack: { stage: string; region: string; accountId: string; logLevel?: string },
  provision: (resolver: TemplateResolver) => Promise<void>,
): Promise<ResolvedService> {
  const dir = resolve(serviceDir);
  const name = basename(dir);
  const wiring = await loadLocalWiring(dir);
  const state = readPackagedServiceState(dir);
  const resolver = new TemplateResolver(loadPackagedTemplate(dir), {
    stackName: `${state.service || name}-${stack.stage}`,
    region: stack.region,
    accountId: stack.accountId,
  });
  await provision(resolver);
  const functions = serviceFunctionsFromTemplate(resolver, state.localEnvironment);
  if (stack.logLevel) for (const fn of functions) fn.environment.POWERTOOLS_LOG_LEVEL = stack.logLevel;
  return { name, dir, resolver, functions, wiring };
}
