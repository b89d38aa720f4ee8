import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { expand } from 'dotenv-expand';

/** The variables a service's dotenv file gives, as osls would load them. */
export interface DotenvValues {
  /** The file read: `<serviceDir>/.env.<stage>`, or `<serviceDir>/.env` when there is none for the stage. */
  file: string;
  /** Each variable of the file with its value after expansion; a variable the shell already sets keeps the shell's. */
  variables: Record<string, string>;
}

export class DotenvLoadError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`Failed to load environment variables from "${file}": ${(cause as Error).message}`);
    this.name = 'DotenvLoadError';
  }
}

/**
 * The variables osls loads for a service with `useDotenv: true`, computed the way osls 4 does it
 * (lib/cli/load-dotenv.js, with the same `dotenv` and `dotenv-expand`): `.env.<stage>` from the service
 * folder when it exists, otherwise `.env` (never both: a stage file replaces `.env` whole); `${VAR}`,
 * `$VAR` and `${VAR:-default}` expanded against the shell and the lines above; a variable the shell
 * already sets keeps the shell's value. `undefined` when neither file exists. It reads nothing else and
 * changes no environment: callers decide where the values go (osls itself only uses them to resolve
 * `${env:NAME}` in serverless.yml; locally they also stand in for values only CloudFormation computes).
 *
 * @example
 * readDotenv(serviceDir, 'dev')?.variables; // { API_KEY: '...' } from .env.dev, or from .env without one
 */
export function readDotenv(
  serviceDir: string,
  stage: string,
  shell: NodeJS.ProcessEnv = process.env,
): DotenvValues | undefined {
  for (const file of [join(serviceDir, `.env.${stage}`), join(serviceDir, '.env')]) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new DotenvLoadError(file, error);
    }
    // dotenv-expand writes into processEnv: give it a copy, so the caller's environment stays as it was.
    const processEnv = Object.fromEntries(
      Object.entries(shell).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const parsed = dotenv.parse(text);
    // The two steps osls takes: dotenv.config (adds what the shell does not set), then dotenv-expand.
    for (const [name, value] of Object.entries(parsed)) if (!Object.hasOwn(processEnv, name)) processEnv[name] = value;
    expand({ parsed, processEnv });
    return { file, variables: { ...parsed } };
  }
  return undefined;
}
