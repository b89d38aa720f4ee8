import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePackaged, loadPackagedTemplate, TemplateResolver } from '@blueprints/offline';

export const SERVICE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The packaged template (`osls package` runs first when it is missing or stale), resolved as stack `iot-realtime-dev` in a local account. */
export async function packagedResolver(): Promise<TemplateResolver> {
  await ensurePackaged(SERVICE_DIR);
  return new TemplateResolver(loadPackagedTemplate(SERVICE_DIR), {
    stackName: 'iot-realtime-dev',
    region: 'us-east-1',
    accountId: '000000000000',
  });
}
