import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export class UnknownServiceError extends Error {
  constructor(name: string, known: string[]) {
    super(`No service "${name}" in services/. Services: ${known.join(', ')}`);
    this.name = 'UnknownServiceError';
  }
}

export class NoServicesError extends Error {
  constructor(rootDir: string) {
    super(
      `No service in ${rootDir}: pnpm dev runs a project whose root holds a serverless.yml (a standalone fork) or whose services/<name>/ folders do.`,
    );
    this.name = 'NoServicesError';
  }
}

/** A project whose root holds a serverless.yml (a standalone fork) is one service. */
function isSingleServiceRoot(rootDir: string): boolean {
  return existsSync(join(rootDir, 'serverless.yml'));
}

/** Where a service of the project lives: the root itself for a single-service project, else services/<name>. */
export function serviceDir(rootDir: string, name: string): string {
  return isSingleServiceRoot(rootDir) ? rootDir : join(rootDir, 'services', name);
}

/**
 * The project's services, sorted (a service's index fixes its HTTP port): the root itself (named by its
 * folder, as `startLocalStack` names a service) when it holds a serverless.yml, otherwise every folder of
 * `services/` with one.
 */
export function listServices(rootDir: string): string[] {
  if (isSingleServiceRoot(rootDir)) return [basename(rootDir)];
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
