/** What `ensurePackaged` reports about one service, so a long `osls package` is never a silent minute. */
export type PackagingProgress =
  | { kind: 'up-to-date'; serviceDir: string }
  | { kind: 'packaging'; serviceDir: string }
  | { kind: 'still-packaging'; serviceDir: string; elapsedMs: number }
  | { kind: 'packaged'; serviceDir: string; elapsedMs: number }
  /** Waiting for another packager of the same service, or taking over the lock of one that is gone. */
  | { kind: 'lock'; serviceDir: string; message: string };

/** How often a running `osls package` is reported (`still-packaging`). */
export const PACKAGING_HEARTBEAT_MS = 10_000;

/**
 * Runs `work` (an `osls package`), reporting `packaging` when it starts, `still-packaging` every
 * `heartbeatMs` while it runs and `packaged` when it has succeeded.
 *
 * @example
 * await reportPackaging(dir, () => run(osls, ['package']), (p) => console.log(p.kind));
 */
export async function reportPackaging<T>(
  serviceDir: string,
  work: () => Promise<T>,
  onProgress: (progress: PackagingProgress) => void,
  heartbeatMs = PACKAGING_HEARTBEAT_MS,
): Promise<T> {
  const started = Date.now();
  onProgress({ kind: 'packaging', serviceDir });
  const beat = setInterval(
    () => onProgress({ kind: 'still-packaging', serviceDir, elapsedMs: Date.now() - started }),
    heartbeatMs,
  );
  try {
    const result = await work();
    onProgress({ kind: 'packaged', serviceDir, elapsedMs: Date.now() - started });
    return result;
  } finally {
    clearInterval(beat);
  }
}

/** The terminal line for one packaging step of service `name`. */
export function packagingLine(name: string, progress: PackagingProgress): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  switch (progress.kind) {
    case 'up-to-date':
      return `${name}: package up to date`;
    case 'packaging':
      return `packaging ${name} (osls package: its sources changed)…`;
    case 'still-packaging':
      return `still packaging ${name} (${seconds(progress.elapsedMs)})…`;
    case 'packaged':
      return `packaged ${name} in ${seconds(progress.elapsedMs)}`;
    case 'lock':
      return `${name}: ${progress.message}`;
  }
}
