import { basename, resolve } from 'node:path';
import type { LocalFunction } from '@blueprints/local-runtime';
import {
  ensurePackaged,
  loadPackagedTemplate,
  packagingLine,
  readPackagedServiceState,
  resourcesOfType,
  TemplateResolver,
} from '@blueprints/packaging';
import { loadLocalWiring } from './loadLocalWiring.js';
import type { LocalWiring } from './localWiring.js';
import { serviceFunctionsFromTemplate } from './serviceFunctions.js';

/**
 * What `startLocalStack` runs: a service folder (deployed as the stack's stage), or one deployment of
 * it, `{ dir, stage }`, packaged and deployed as that stage so that several stages of one service can
 * run side by side on the one local account.
 */
export type LocalServiceEntry = string | { dir: string; stage: string };

/** A service folder resolved from its packaged template, before anything runs it. */
export interface ResolvedService {
  /** Its folder name; `<folder>@<stage>` for a deployment entry (`{ dir, stage }`). */
  name: string;
  dir: string;
  /** The stage a deployment entry names (its package is `.serverless-<stage>`); undefined for a plain folder. */
  deploymentStage?: string;
  resolver: TemplateResolver;
  functions: LocalFunction[];
  /** What the service declares in its `local.ts` (`{}` without one). */
  wiring: LocalWiring;
}

export const hasResource = (resolver: TemplateResolver, ...types: string[]) =>
  types.some((type) => resourcesOfType(resolver.template, type, resolver.stack).length > 0);

/** An entry's folder (absolute), its stage when it names one, and its name on the stack. */
export function entryOf(entry: LocalServiceEntry): { dir: string; stage?: string; name: string } {
  if (typeof entry === 'string') return { dir: resolve(entry), name: basename(resolve(entry)) };
  const dir = resolve(entry.dir);
  return { dir, stage: entry.stage, name: `${basename(dir)}@${entry.stage}` };
}

/**
 * `osls package` for a service whose sources changed since its last package (a deployment entry: its
 * stage, into `.serverless-<stage>`); a line when it takes a while.
 */
export async function packageService(
  entry: LocalServiceEntry,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const { dir, stage, name } = entryOf(entry);
  await ensurePackaged(dir, { stage, signal, onProgress: (p) => progress(packagingLine(name, p)) });
}

/**
 * A packaged service's template as stack `<service>-<stage>` (a deployment entry: its own stage's
 * package and stage), provisioned by `provision`, with its local wiring. The functions are read after
 * provisioning: their variables that name a queue or a secret resolve to what the stand-ins created.
 */
export async function resolveService(
  entry: LocalServiceEntry,
  stack: { stage: string; region: string; accountId: string; logLevel?: string },
  provision: (resolver: TemplateResolver) => Promise<void>,
): Promise<ResolvedService> {
  const { dir, stage: deploymentStage, name } = entryOf(entry);
  const wiring = await loadLocalWiring(dir);
  const state = readPackagedServiceState(dir, deploymentStage);
  const resolver = new TemplateResolver(loadPackagedTemplate(dir, deploymentStage), {
    stackName: `${state.service || basename(dir)}-${deploymentStage ?? stack.stage}`,
    region: stack.region,
    accountId: stack.accountId,
  });
  await provision(resolver);
  const functions = serviceFunctionsFromTemplate(resolver, state.localEnvironment);
  if (stack.logLevel) for (const fn of functions) fn.environment.POWERTOOLS_LOG_LEVEL = stack.logLevel;
  return { name, dir, deploymentStage, resolver, functions, wiring };
}
