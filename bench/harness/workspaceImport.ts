import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Imports a dependency of one of the workspace packages (not a dependency of bench itself):
 * `importFrom(join(root, 'packages/local-iot'), 'aedes')`. Resolution is
 * Node's own, from that package's folder, so the benchmark loads the very copy the package uses.
 */
export async function importFrom<T>(packageDir: string, specifier: string): Promise<T> {
  const resolved = createRequire(join(packageDir, 'package.json')).resolve(specifier);
  return (await import(pathToFileURL(resolved).href)) as T;
}

/** Whether a file exists, for "not available: <why>" checks on modules other helpers are still writing. */
export function missingFiles(root: string, files: string[]): string[] {
  return files.filter((file) => !existsSync(join(root, file)));
}
