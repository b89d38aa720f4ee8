import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the default package waits while another stage is packaged: osls uses `.serverless` as its
 * work folder and empties it (`package:cleanup`) whatever `--package` says, so `ensurePackaged` moves
 * the default package here for that time and back afterwards (both moves are renames).
 */
export const KEPT_DEFAULT_PACKAGE = '.serverless.kept';

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
