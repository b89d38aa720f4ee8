import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { lambdaLikeEnvironment, runProcess } from '../harness/childProcess.js';
import { nodeRuntimes } from '../harness/nodes.js';
import { formatNumber } from '../harness/statistics.js';
import type { Benchmark, BenchmarkOutcome } from '../harness/types.js';
import { notAvailable } from '../harness/types.js';

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { url: string; functionName: string; lineNumber: number; columnNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** What a sampled frame's self time is charged to: a vendor package, own code, or a part of Node. */
function categoryOf(
  frame: CpuProfile['nodes'][number]['callFrame'],
  bundleUrl: string,
  map: SourceMap | undefined,
): string {
  const { url, functionName } = frame;
  if (url === bundleUrl || url === `file://${bundleUrl}`) {
    const source = map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string } | undefined;
    const original = source?.originalSource ?? '';
    const vendor = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(original);
    if (vendor) return vendor[1] as string;
    if (/\/packages\/[^/]+\//.test(original)) return `@blueprints/${/\/packages\/([^/]+)\//.exec(original)?.[1]}`;
    return original ? 'own code (src/)' : 'bundle code with no mapping (esbuild helpers)';
  }
  if (url.startsWith('node:internal/modules/') || url === 'node:internal/vm')
    return 'Node module loader (incl. compiling the bundle)';
  if (url.startsWith('node:internal/bootstrap/realm')) return 'Node built-ins being loaded (compileForInternalLoader)';
  if (url.startsWith('node:')) return 'Node built-ins running (http, tls, crypto, streams, ...)';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'V8/native, outside JavaScript (parsing, compiling, start-up)';
  if (functionName === '(idle)') return 'idle';
  return url ? 'the child script' : functionName;
}

/**
 * Where a cold import spends its time on Node 22, by module: `node --cpu-prof` over a fresh process
 * that loads the deployed bundle (ours), self time attributed through the bundle's compacted map
 * (vendor code to its package, own code to @blueprints/<package> or the service's src/).
 */
export const profile: Benchmark = {
  name: 'profile',
  title: '8. Profile: what a cold import spends its time on (Node 22, node --cpu-prof)',
  async run(context): Promise<BenchmarkOutcome> {
    const inventory = await context.inventory();
    if (inventory.functions.length === 0) return notAvailable('no function could be read');
    const { runtimes, unavailable } = nodeRuntimes(context.log);
    const node = runtimes.find((r) => r.major === 22) ?? runtimes[0];
    if (!node) return notAvailable('no Node.js runtime', unavailable);
    const profiles = context.quick ? 2 : 3;
    const script = join(context.repoRoot, 'bench', 'children', 'importBundle.mjs');
    const rows: string[][] = [];
    const all = new Map<string, number>();
    const data: Array<{ service: string; function: string; totalMs: number; categories: Record<string, number> }> = [];
    const notes: string[] = [...unavailable];
    for (const fn of inventory.functions) {
      context.log(`  ${fn.service}/${fn.name}`);
      try {
        const bundle = await context.bundles.get(fn, 'ours');
        const map = bundle.mapFile
          ? new SourceMap(
              JSON.parse(readFileSync(bundle.mapFile, 'utf8')) as ConstructorParameters<typeof SourceMap>[0],
            )
          : undefined;
        const dir = join(context.workDir, 'profiles', fn.service, fn.name);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        for (let i = 0; i < profiles; i++) {
          await runProcess(
            node.path,
            ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100', script, bundle.file, fn.exportName],
            { env: lambdaLikeEnvironment(fn.environment), timeoutMs: 60_000 },
          );
        }
        const categories = new Map<string, number>();
        for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
          const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
          const byId = new Map(p.nodes.map((n) => [n.id, n]));
          p.samples.forEach((id, i) => {
            const frame = byId.get(id)?.callFrame;
            if (!frame) return;
            const category = categoryOf(frame, bundle.file, map);
            if (category === 'idle') return;
            categories.set(category, (categories.get(category) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000 / profiles);
          });
        }
        const total = [...categories.values()].reduce((a, b) => a + b, 0);
        for (const [k, v] of categories) all.set(k, (all.get(k) ?? 0) + v);
        const top = [...categories].sort((a, b) => b[1] - a[1]).slice(0, 5);
        rows.push([
          fn.service,
          fn.name,
          formatNumber(total),
          ...top.map(([k, v]) => `${k} ${Math.round((100 * v) / total)}%`),
        ]);
        data.push({
          service: fn.service,
          function: fn.name,
          totalMs: total,
          categories: Object.fromEntries(categories),
        });
      } catch (error) {
        notes.push(`${fn.service}/${fn.name}: not available: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    const total = [...all.values()].reduce((a, b) => a + b, 0);
    const overall = [...all].sort((a, b) => b[1] - a[1]).slice(0, 12);
    return {
      status: rows.length === 0 ? 'not available' : 'ok',
      tables: [
        {
          title: `Per function: sampled CPU ms per cold process (mean of ${profiles}), top 5 by self time`,
          columns: ['service', 'function', 'sampled ms', '1st', '2nd', '3rd', '4th', '5th'],
          rows,
        },
        {
          title: 'All functions together: share of sampled self time',
          columns: ['charged to', 'share'],
          rows: overall.map(([k, v]) => [k, `${((100 * v) / total).toFixed(1)}%`]),
        },
      ],
      targets: [],
      notes: [
        `${node.label} (${node.version}), ${profiles} fresh processes per function, each \`node --cpu-prof --cpu-prof-interval=100\` (µs) over children/importBundle.mjs loading the ours bundle; self time of every sample charged to a category (bundle frames through the bundle's compacted map: vendor code to its package). Sampling adds overhead, so compare shares, not these times with the cold-init benchmark's.`,
        "'Node built-ins being loaded' is Node compiling its own modules (http, tls, crypto, streams, ...) the first time a bundle requires them; 'Node module loader' includes compiling the bundle itself.",
        ...notes,
      ],
      data: { node, profilesPerFunction: profiles, functions: data, overall: Object.fromEntries(all) },
    };
  },
};
