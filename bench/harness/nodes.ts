import { execFileSync } from 'node:child_process';

/** A Node.js binary the benchmarks run bundles on. */
export interface NodeRuntime {
  /** `Node 22` */
  label: string;
  major: number;
  version: string;
  path: string;
}

function describe(path: string): NodeRuntime {
  const version = execFileSync(path, ['-p', 'process.version'], { encoding: 'utf8', timeout: 60_000 }).trim();
  const major = Number(version.slice(1).split('.')[0]);
  return { label: `Node ${major}`, major, version, path };
}

/**
 * Node 22 (what Lambda runs: `nodejs22.x`) and Node 20, Node 22 first. The one this process runs on is
 * used as is; the other comes from the registry's `node` package through `npx -y node@<major>`
 * (installed into npm's cache on first use). A major that cannot be had is left out with the reason.
 */
export function nodeRuntimes(log: (message: string) => void): { runtimes: NodeRuntime[]; unavailable: string[] } {
  const runtimes: NodeRuntime[] = [];
  const unavailable: string[] = [];
  const current = describe(process.execPath);
  for (const major of [22, 20]) {
    if (current.major === major) {
      runtimes.push(current);
      continue;
    }
    try {
      log(`  resolving Node ${major} from the registry (npx -y node@${major})...`);
      const path = execFileSync('npx', ['-y', `node@${major}`, '-p', 'process.execPath'], {
        encoding: 'utf8',
        timeout: 300_000,
        env: { ...process.env, NODE_OPTIONS: '' },
      }).trim();
      runtimes.push(describe(path));
    } catch (error) {
      unavailable.push(`Node ${major}: not available: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return { runtimes, unavailable };
}
