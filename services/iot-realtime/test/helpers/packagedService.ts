import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packagedServiceResolver, type TemplateResolver } from '@blueprints/packaging';

export const SERVICE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The packaged template (`osls package` runs first when it is missing or stale), resolved as stack
 * `iot-realtime-dev` in a local account; with `stage`, that stage's package (`iot-realtime-<stage>`).
 */
export async function packagedResolver(options: { stage?: string } = {}): Promise<TemplateResolver> {
  return packagedServiceResolver(SERVICE_DIR, {}, options);
}
