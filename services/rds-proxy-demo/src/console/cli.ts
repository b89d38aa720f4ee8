// `pnpm --filter rds-proxy-demo db -- [--local] [--write] [--json] "SQL"` (README "Reaching the database").
import { runConsole } from './runConsole.js';

process.exitCode = await runConsole(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
