// `pnpm dev`: every service running locally from its packaged template, with a live dashboard.
// See packages/dev/README.md ("pnpm dev") and `pnpm dev --help`.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDevCommand } from '@blueprints/dev';

await runDevCommand(join(dirname(fileURLToPath(import.meta.url)), '..'), process.argv.slice(2));
