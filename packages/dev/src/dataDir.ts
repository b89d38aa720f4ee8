import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { claimOwnerLock, isOwnerAlive, LockHeldError, readLockOwner } from '@blueprints/packaging';

export class DevAlreadyRunningError extends Error {
  constructor(
    dataDir: string,
    readonly pid: number,
  ) {
    super(
      `Another pnpm dev (pid ${pid}) is using ${dataDir}. Stop it first (Ctrl-C there, or kill ${pid}), or give this one its own folder with --data-dir <dir>.`,
    );
    this.name = 'DevAlreadyRunningError';
  }
}

/** One dev environment per data folder: LevelDB and PostgreSQL refuse to share their files. */
function claimDataDir(dataDir: string, onTakeover: (message: string) => void): () => void {
  try {
    return claimOwnerLock(join(dataDir, 'dev.pid'), { what: 'pnpm dev', onTakeover });
  } catch (error) {
    if (error instanceof LockHeldError) throw new DevAlreadyRunningError(dataDir, error.owner.pid);
    throw error;
  }
}

/**
 * Creates (or, with `reset`, empties) the data folder and claims it for this process (`dev.pid`,
 * holding the pid, host and process start time); answers the function that releases it. A folder
 * another live `pnpm dev` holds is a `DevAlreadyRunningError`; the lock of one that is gone (killed,
 * crashed) is taken over, and `onTakeover` says so.
 */
export function prepareDataDir(
  dataDir: string,
  reset = false,
  onTakeover: (message: string) => void = () => undefined,
): () => void {
  if (reset) {
    const owner = readLockOwner(join(dataDir, 'dev.pid'));
    if (owner && isOwnerAlive(owner)) throw new DevAlreadyRunningError(dataDir, owner.pid);
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
  return claimDataDir(dataDir, onTakeover);
}
