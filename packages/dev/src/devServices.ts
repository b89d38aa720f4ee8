import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export class UnknownServiceError extends Error {
  constructor(name: string, known: string[]) {
    super(`No service "${name}" in services/. Services: ${known.join(', ')}`);
    this.name = 'UnknownServiceError';
  }
}

/** Every folder of `services/` with a serverless.yml, sorted (its index fixes its HTTP port). */
export function listServices(rootDir: string): string[] {
  const dir = join(rootDir, 'services');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'serverless.yml')))
    .sort();
}
