import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimOwnerLock, isOwnerAlive, LockHeldError, type LockOwner, readLockOwner } from '../src/ownerLock.js';

/** Above /proc/sys/kernel/pid_max's ceiling (2^22): no process can have it. */
const DEAD_PID = 4_194_304 + 1;

function owner(overrides: Partial<LockOwner> = {}): LockOwner {
  return { pid: process.ppid, host: hostname(), since: '2026-12-02T00:00:00.000Z', what: 'pnpm dev', ...overrides };
}

describe('Function: claimOwnerLock()', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'owner-lock-'));
    path = join(dir, 'dev.pid');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records this process (pid, host, start time) and removes the lock on release', () => {
    // Act
    const release = claimOwnerLock(path, { what: 'pnpm dev' });
    const recorded = readLockOwner(path);
    release();

    // Assess
    expect(recorded).toMatchObject({ pid: process.pid, host: hostname(), what: 'pnpm dev' });
    expect(recorded?.startTime).toEqual(expect.any(Number));
    expect(existsSync(path)).toBe(false);
  });

  it('throws a LockHeldError naming the pid while the owner runs, and leaves its lock alone', () => {
    // Prepare
    writeFileSync(path, JSON.stringify(owner()));

    // Act
    const act = () => claimOwnerLock(path, { what: 'pnpm dev' });

    // Assess
    expect(act).toThrow(LockHeldError);
    expect(act).toThrow(`held by pnpm dev (pid ${process.ppid}`);
    expect(readLockOwner(path)?.pid).toBe(process.ppid);
  });

  it('refuses a second claim from the same process (one holder, even within a process)', () => {
    // Prepare
    const release = claimOwnerLock(path, { what: 'osls package' });

    // Act & Assess
    expect(() => claimOwnerLock(path, { what: 'osls package' })).toThrow(LockHeldError);
    release();
  });

  it('takes over the lock of an owner that is gone, saying so', () => {
    // Prepare
    writeFileSync(path, JSON.stringify(owner({ pid: DEAD_PID })));
    const messages: string[] = [];

    // Act
    const release = claimOwnerLock(path, { what: 'pnpm dev', onTakeover: (m) => messages.push(m) });

    // Assess
    expect(messages).toEqual([`${path}: pnpm dev (pid ${DEAD_PID}) that held it is gone; taking it over.`]);
    expect(readLockOwner(path)?.pid).toBe(process.pid);
    release();
  });

  it('takes over a lock whose pid now belongs to another process (a different start time)', () => {
    // Prepare
    writeFileSync(path, JSON.stringify(owner({ pid: process.pid, startTime: -1 })));

    // Act
    const release = claimOwnerLock(path, { what: 'pnpm dev' });

    // Assess
    expect(readLockOwner(path)?.startTime).not.toBe(-1);
    release();
  });

  it('takes over a lock with no owner recorded: a plain pid file or the lock folder of earlier versions', () => {
    // Prepare
    const messages: string[] = [];
    writeFileSync(path, '12345');
    const folder = join(dir, '.serverless.lock');
    mkdirSync(folder);

    // Act
    claimOwnerLock(path, { what: 'pnpm dev', onTakeover: (m) => messages.push(m) })();
    claimOwnerLock(folder, { what: 'osls package', onTakeover: (m) => messages.push(m) })();

    // Assess
    expect(messages).toEqual([
      `${path}: stale lock from an earlier run (no owner recorded); taking it over.`,
      `${folder}: stale lock from an earlier run (no owner recorded); taking it over.`,
    ]);
    expect(existsSync(folder)).toBe(false);
  });

  it('does not remove on release a lock another process has taken over since', () => {
    // Prepare
    const release = claimOwnerLock(path, { what: 'pnpm dev' });
    writeFileSync(path, JSON.stringify(owner()));

    // Act
    release();

    // Assess
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.ppid);
  });
});

describe('Function: isOwnerAlive()', () => {
  it('counts an owner on another host as alive: it cannot be checked from here', () => {
    // Act & Assess
    expect(isOwnerAlive(owner({ pid: DEAD_PID, host: 'elsewhere.example' }))).toBe(true);
    expect(isOwnerAlive(owner({ pid: DEAD_PID }))).toBe(false);
  });
});
