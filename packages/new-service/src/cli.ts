// pnpm new-service <name> --from <service> [--standalone <dir>] [--no-install]
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InvalidServiceNameError } from './names.js';
import { NewServiceError, newService } from './newService.js';

const usage = 'Usage: pnpm new-service <name> --from <service> [--standalone <dir>] [--no-install]';

function main(): number {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: { from: { type: 'string' }; standalone: { type: 'string' }; 'no-install': { type: 'boolean' } };
      allowPositionals: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: { from: { type: 'string' }, standalone: { type: 'string' }, 'no-install': { type: 'boolean' } },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const [name, ...extra] = parsed.positionals;
  if (!name || !parsed.values.from || extra.length > 0) {
    console.error(usage);
    return 2;
  }
  try {
    const result = newService({
      repoRoot: resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'),
      name,
      from: parsed.values.from,
      // pnpm runs root scripts in the repo root; INIT_CWD is where the user typed the command.
      ...(parsed.values.standalone
        ? { standalone: resolve(process.env.INIT_CWD ?? process.cwd(), parsed.values.standalone) }
        : {}),
      install: !parsed.values['no-install'],
    });
    console.log(
      `\nCreated ${result.dir} from ${parsed.values.from}. Next:\n${result.nextCommands.map((c) => `  ${c}`).join('\n')}`,
    );
    return 0;
  } catch (error) {
    if (error instanceof NewServiceError || error instanceof InvalidServiceNameError) {
      console.error(`new-service: ${error.message} Nothing was written.`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main();
