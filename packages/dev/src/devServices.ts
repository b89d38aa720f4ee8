import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { LocalFunction } from '@blueprints/local-runtime';
import {
  ensurePackaged,
  loadPackagedTemplate,
  readPackagedServiceState,
  resourcesOfType,
  TemplateResolver,
} from '@blueprints/packaging';
import { devFunctionsFromTemplate } from './localFunctions.js';

export class UnknownServiceError extends Error {
  constructor(name: string, known: string[]) {
    super(`No service "${name}" in this project. Services: ${known.join(', ')}`);
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

export class NoServicesError extends Error {
  constructor(rootDir: string) {
    super(
      `No service in ${rootDir}: pnpm dev runs a project whose root holds a serverless.yml (a standalone fork) or whose services/<name>/ folders do.`,
    );
    this.name = 'NoServicesError';
  }
}

/** A project whose root holds a serverless.yml (a standalone fork) is one service, named by its package.json. */
function isSingleServiceRoot(rootDir: string): boolean {
  return existsSync(join(rootDir, 'serverless.yml'));
}

/** Where a service of the project lives: the root itself for a single-service project, else services/<name>. */
export function serviceDir(rootDir: string, name: string): string {
  return isSingleServiceRoot(rootDir) ? rootDir : join(rootDir, 'services', name);
}

/**
 * The project's services, sorted (a service's index fixes its HTTP port): the root itself when it holds a
 * serverless.yml, otherwise every folder of `services/` with one.
 */
export function listServices(rootDir: string): string[] {
  if (isSingleServiceRoot(rootDir)) {
    const manifest = join(rootDir, 'package.json');
    const name = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name : '';
    return [name || basename(rootDir)];
  }
  const dir = join(rootDir, 'services');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'serverless.yml')))
    .sort();
}

/** The project's services; a root with none is a `NoServicesError` (a mistyped `--root` must not start an empty environment). */
export function projectServices(rootDir: string): string[] {
  const all = listServices(rootDir);
  if (all.length === 0) throw new NoServicesError(rootDir);
  return all;
}

export const hasResource = (resolver: TemplateResolver, ...types: string[]) =>
  types.some((type) => resourcesOfType(resolver.template, type, resolver.stack).length > 0);

/** `osls package` for each service whose sources changed since its last package. */
export async function packageServices(rootDir: string, names: string[], progress: (line: string) => void) {
  for (const name of names) {
    const t = Date.now();
    // Only worth a line when osls actually runs (a changed service: tens of seconds).
    const notice = setTimeout(() => progress(`packaging ${name} (osls package: its sources changed)…`), 1000);
    await ensurePackaged(serviceDir(rootDir, name)).finally(() => clearTimeout(notice));
    if (Date.now() - t >= 1000) progress(`packaged ${name} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
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
  const dir = serviceDir(rootDir, name);
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
