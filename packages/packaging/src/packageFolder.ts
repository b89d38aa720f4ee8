import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the default package waits while another stage is packaged: osls uses `.serverless` as its
 * work folder and empties it (`package:cleanup`) whatever `--package` says, so `ensurePackaged` moves
 * the default package here for that time and back afterwards (both moves are renames).
 */
export const KEPT_DEFAULT_PACKAGE = '.serverless.kept';

/**
 * Whether a name in a service folder is build output or packaging state, never a source: a package
 * (`.serverless`, `.serverless-<stage>`), the default package set aside (`.serverless.kept`), the
 * packaging lock (`.serverless.lock`) or serverless-esbuild's work folder (`.esbuild`). Not an input of
 * the package, and never copied with the service: a copied lock names a live process of the original,
 * which the copy would wait for.
 *
 * @example
 * cpSync(service, copy, { recursive: true, filter: (path) => !isBuildOutput(basename(path)) });
 */
export function isBuildOutput(name: string): boolean {
  return name === '.esbuild' || name.startsWith('.serverless');
}

/** Where `osls package` writes: `.serverless` for the default stage, `.serverless-<stage>` for another one. */
export function packageFolder(stage?: string): string {
  if (stage === undefined) return '.serverless';
  if (!/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(stage)) throw new Error(`Invalid stage name "${stage}"`);
  return `.serverless-${stage}`;
}

/**
 * The path of a file of a stage's package where it is now: the default package's files are in
 * {@link KEPT_DEFAULT_PACKAGE} while another stage is being packaged (another process may be doing it).
 */
export function packagedFilePath(serviceDir: string, stage: string | undefined, file: string): string {
  if (stage === undefined) {
    const kept = join(serviceDir, KEPT_DEFAULT_PACKAGE, file);
    if (existsSync(kept)) return kept;
  }
  return join(serviceDir, packageFolder(stage), file);
}

/**
 * Reads a file of a stage's package (see {@link packagedFilePath}). The folder may move between
 * finding the file and reading it, when another stage's packaging starts or ends: the read is tried
 * again at the new place. Throws the read's error (ENOENT when the package has no such file).
 */
export function readPackagedFile(serviceDir: string, stage: string | undefined, file: string): string {
  for (let attempt = 1; ; attempt++) {
    try {
      return readFileSync(packagedFilePath(serviceDir, stage, file), 'utf8');
    } catch (error) {
      if (attempt >= 3 || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** Whether an error is a missing file or folder (the package moved between finding and using it). */
function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * The names of the files in a stage's package, wherever it is now (see {@link packagedFilePath}).
 * A listing taken while the package moves (the folder is gone, or is osls's fresh work folder, which
 * has no `serverless-state.json`) is taken again at the new place.
 *
 * @example
 * packagedFileNames('services/my-service').filter((name) => name.endsWith('.zip'));
 */
export function packagedFileNames(serviceDir: string, stage?: string): string[] {
  for (let attempt = 1; ; attempt++) {
    try {
      const names = readdirSync(dirname(packagedFilePath(serviceDir, stage, 'serverless-state.json')));
      if (names.includes('serverless-state.json') || attempt >= 3) return names;
    } catch (error) {
      if (attempt >= 3 || !isMissing(error)) throw error;
    }
  }
}

/**
 * Runs `use` on the path of a file of a stage's package (see {@link packagedFilePath}), for tools that
 * open the file themselves (`unzip`): when `use` fails with ENOENT, or fails and the file is no longer
 * at that path, the package moved meanwhile and `use` runs again on the new path.
 *
 * @example
 * withPackagedFile('services/my-service', undefined, 'publish.zip', (zip) => execFileSync('unzip', ['-l', zip]));
 */
export function withPackagedFile<T>(
  serviceDir: string,
  stage: string | undefined,
  file: string,
  use: (path: string) => T,
): T {
  for (let attempt = 1; ; attempt++) {
    const path = packagedFilePath(serviceDir, stage, file);
    try {
      return use(path);
    } catch (error) {
      if (attempt >= 3 || (!isMissing(error) && existsSync(path))) throw error;
    }
  }
}
