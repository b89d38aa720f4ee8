import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a lock: written into the lock file so the next process can tell a live owner from a dead one. */
export interface LockOwner {
  pid: number;
  host: string;
  /** The owner's process start time (`/proc/<pid>/stat` field 22, clock ticks since boot), when known. */
  startTime?: number;
  /** When the lock was taken (ISO-8601). */
  since: string;
  /** What the owner is doing, for the messages (`pnpm dev`, `osls package`). */
  what: string;
}

export class LockHeldError extends Error {
  constructor(
    readonly path: string,
    readonly owner: LockOwner,
  ) {
    super(
      `${path} is held by ${owner.what} (pid ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}, since ${owner.since}).`,
    );
    this.name = 'LockHeldError';
  }
}

/** A process's start time: with the pid it names one process, even after the pid is reused. */
function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the process a lock names still runs. A lock from another host cannot be checked: it counts
 * as live. A pid that runs but started at another time than recorded is a reused pid: not the owner.
 */
export function isOwnerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStartTime(owner.pid);
  return owner.startTime === undefined || started === undefined || started === owner.startTime;
}

/** The owner recorded in a lock file; undefined when there is none or it cannot be read (a torn or older lock). */
export function readLockOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (!Number.isInteger(owner.pid) || typeof owner.host !== 'string') return undefined;
    return { what: 'another process', since: '?', ...owner } as LockOwner;
  } catch {
    return undefined;
  }
}

const held = new Set<string>();
let exitHookInstalled = false;

/** Locks this process holds are removed when it exits, however it exits (a forced `process.exit` too). */
function removeOnExit(path: string): void {
  held.add(path);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const lock of held) rmSync(lock, { recursive: true, force: true });
  });
}

/**
 * Removes a stale lock. Renamed aside first (atomic: of two processes taking over the same stale lock,
 * one moves it); a lock found live once moved (another process took over in between) is put back.
 */
function moveAsideIfStale(path: string): boolean {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = readLockOwner(aside);
  if (moved && isOwnerAlive(moved)) {
    try {
      linkSync(aside, path);
    } catch {
      // Yet another process holds it now: the one moved aside has lost it either way.
    }
    rmSync(aside, { force: true });
    return false;
  }
  // A directory is the lock format of earlier versions.
  rmSync(aside, { recursive: true, force: true });
  return true;
}

/**
 * Takes the lock file `path` for this process, recording its pid, host and start time. A lock whose
 * owner is gone (killed, crashed) is taken over, and `onTakeover` says so; one whose owner still runs
 * throws a `LockHeldError` naming it. Answers the function that releases the lock; the lock is also
 * released when this process exits.
 *
 * @example
 * const release = claimOwnerLock('.local/dev.pid', { what: 'pnpm dev', onTakeover: console.warn });
 * try { await work(); } finally { release(); }
 */
export function claimOwnerLock(
  path: string,
  options: { what: string; onTakeover?: (message: string) => void },
): () => void {
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    startTime: processStartTime(process.pid),
    since: new Date().toISOString(),
    what: options.what,
  };
  // Written aside, then linked into place: `link` fails if the lock exists, and a reader never sees a half-written one.
  const draft = `${path}.${process.pid}.tmp`;
  writeFileSync(draft, `${JSON.stringify(me)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(draft, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 3) throw error;
      }
      const owner = readLockOwner(path);
      if (owner && isOwnerAlive(owner)) throw new LockHeldError(path, owner);
      if (!moveAsideIfStale(path)) continue;
      options.onTakeover?.(
        owner
          ? `${path}: ${owner.what} (pid ${owner.pid}) that held it is gone; taking it over.`
          : `${path}: stale lock from an earlier run (no owner recorded); taking it over.`,
      );
    }
  } finally {
    rmSync(draft, { force: true });
  }
  removeOnExit(path);
  return () => {
    held.delete(path);
    if (readLockOwner(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}
