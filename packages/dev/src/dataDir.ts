import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DevAlreadyRunningError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `Another pnpm dev (pid ${pid}) is using ${dataDir}. Stop it first, or give this one its own folder with --data-dir <dir>.`,
    );
    this.name = 'DevAlreadyRunningError';
  }
}

/** One dev environment per data folder: LevelDB and PostgreSQL refuse to share their files. */
function claimDataDir(dataDir: string): () => void {
  const pidFile = join(dataDir, 'dev.pid');
  const holder = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
  if (holder > 0 && holder !== process.pid) {
    try {
      process.kill(holder, 0);
      throw new DevAlreadyRunningError(dataDir, holder);
    } catch (error) {
      if (error instanceof DevAlreadyRunningError) throw error;
    }
  }
  writeFileSync(pidFile, String(process.pid));
  return () => rmSync(pidFile, { force: true });
}

/**
 * Creates (or, with `reset`, empties) the data folder and claims it for this process; answers the
 * function that releases it. A folder another live `pnpm dev` holds is a `DevAlreadyRunningError`.
 */
export function prepareDataDir(dataDir: string, reset = false): () => void {
  if (reset && existsSync(join(dataDir, 'dev.pid'))) claimDataDir(dataDir)();
  if (reset) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  return claimDataDir(dataDir);
}
