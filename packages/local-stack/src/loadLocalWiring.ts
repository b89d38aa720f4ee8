import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineLocalWiring, InvalidLocalWiringError, type LocalWiring } from './localWiring.js';

/** The file in a service folder that declares its local wiring (see the README, "Local wiring"). */
export const LOCAL_WIRING_FILE = 'local.ts';

/**
 * A service's local wiring: the default export of `<serviceDir>/local.ts`, checked, or none (`{}`)
 * when the service has no such file. Loading runs the file, so it needs a TypeScript-aware loader
 * (tsx, as `pnpm dev` runs; jest's transform in tests).
 *
 * @example
 * const wiring = await loadLocalWiring('services/orders');
 * wiring.actions?.map((a) => a.id);
 */
export async function loadLocalWiring(serviceDir: string): Promise<LocalWiring> {
  const file = join(serviceDir, LOCAL_WIRING_FILE);
  if (!existsSync(file)) return {};
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const wiring = module.default;
  if (wiring === null || typeof wiring !== 'object' || Array.isArray(wiring)) {
    throw new InvalidLocalWiringError(file, 'its default export must be the object of defineLocalWiring({...})');
  }
  return defineLocalWiring(wiring as LocalWiring, file);
}
