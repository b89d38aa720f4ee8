// `pnpm dev`: every service running locally from its packaged template, with a live dashboard.
// See packages/dev/README.md ("pnpm dev") and `pnpm dev --help`.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
// Loading the dev environment (TypeScript compiled on the fly) takes seconds: say so before it starts.
if (!args.includes('--help') && !args.includes('-h')) console.log('pnpm dev: loading…');
const { runDevCommand } = await import('@blueprints/dev');

await runDevCommand(join(dirname(fileURLToPath(import.meta.url)), '..'), args);
