import { dirname, join } from 'node:path';
import type { BundleVariant } from '../harness/bundles.js';
import { childResult, lambdaLikeEnvironment, runProcess } from '../harness/childProcess.js';
import type { BenchFunction } from '../harness/functions.js';
import type { NodeRuntime } from '../harness/nodes.js';
import { perFunctionRun } from '../harness/perFunction.js';
import { formatBytes, formatRatio, formatSample, median, type Sample, summarize } from '../harness/statistics.js';
import type { Benchmark, BenchmarkOutcome, ResultTable, TargetCheck } from '../harness/types.js';

/** Every variant loaded, in this order within each round; none with a Node flag (none is deployed). */
const VARIANTS: BundleVariant[] = ['ours', 'default', 'ours-nohook', 'ours-esm', 'ours-nonames', 'ours-local'];

/**
 * Not bundle variants and not deployed: `ours` and `default` loaded with Node's compile cache
 * (`NODE_COMPILE_CACHE`, V8 code cache) that one earlier process on this machine wrote. They measure
 * the largest lever left (compiling the bundle is the largest share of a cold import, see `profile`),
 * for both builds, since the default build could use a cache too. Why it is not deployed:
 * bench/README.md.
 */
const CODE_CACHED = { 'ours+code-cache': 'ours', 'default+code-cache': 'default' } as const;
type CodeCachedKey = keyof typeof CODE_CACHED;
const OURS_CACHED: CodeCachedKey = 'ours+code-cache';
const DEFAULT_CACHED: CodeCachedKey = 'default+code-cache';

/** Node's compile cache exists from Node 22.1. */
const hasCompileCache = (node: NodeRuntime) => {
  const [major = 0, minor = 0] = node.version.slice(1).split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 1);
};

const measuredKeys = (node: NodeRuntime): string[] =>
  hasCompileCache(node) ? [...VARIANTS, ...Object.keys(CODE_CACHED)] : VARIANTS;

interface ColdInitRow {
  node: string;
  service: string;
  function: string;
  bundleBytes: Record<string, number>;
  importMs: Record<string, Sample>;
  /** CPU time of the process while it loads the bundle (every thread). */
  importCpuMs: Record<string, Sample>;
  processMs: Record<string, Sample>;
}

const ratio = (row: ColdInitRow, a: string, b: string, kind: 'importMs' | 'importCpuMs' | 'processMs' = 'importMs') =>
  (row[kind][a]?.median ?? Number.NaN) / (row[kind][b]?.median ?? Number.NaN);

function tablesFor(node: NodeRuntime, rows: ColdInitRow[]): ResultTable[] {
  return [
    {
      title: `${node.label} (${node.version}): ours vs serverless-esbuild defaults`,
      columns: [
        'service',
        'function',
        'import: ours ms',
        'import: default ms',
        'default / ours',
        'import CPU: ours ms',
        'default / ours (import CPU)',
        'process: ours ms',
        'process: default ms',
        'default / ours (process)',
        'bundle: ours',
        'bundle: default',
      ],
      rows: rows.map((r) => [
        r.service,
        r.function,
        formatSample(r.importMs.ours as Sample),
        formatSample(r.importMs.default as Sample),
        formatRatio(ratio(r, 'default', 'ours')),
        formatSample(r.importCpuMs.ours as Sample),
        formatRatio(ratio(r, 'default', 'ours', 'importCpuMs')),
        formatSample(r.processMs.ours as Sample),
        formatSample(r.processMs.default as Sample),
        formatRatio(ratio(r, 'default', 'ours', 'processMs')),
        formatBytes(r.bundleBytes.ours ?? 0),
        formatBytes(r.bundleBytes.default ?? 0),
      ]),
    },
    {
      title: `${node.label}: what each choice costs at import (ratios of import medians, > 1 = slower than ours)`,
      columns: [
        'service',
        'function',
        'ours / no hook (mapping mechanism)',
        'ESM / ours (CommonJS)',
        'ours / without keepNames',
        'bundle: without keepNames',
        'full credential chain / ours',
        'bundle: full chain',
      ],
      rows: rows.map((r) => [
        r.service,
        r.function,
        formatRatio(ratio(r, 'ours', 'ours-nohook')),
        formatRatio(ratio(r, 'ours-esm', 'ours')),
        formatRatio(ratio(r, 'ours', 'ours-nonames')),
        formatBytes(r.bundleBytes['ours-nonames'] ?? 0),
        formatRatio(ratio(r, 'ours-local', 'ours')),
        formatBytes(r.bundleBytes['ours-local'] ?? 0),
      ]),
    },
    ...(hasCompileCache(node) ? [codeCacheTable(node, rows)] : []),
  ];
}

function codeCacheTable(node: NodeRuntime, rows: ColdInitRow[]): ResultTable {
  return {
    title: `${node.label}: the lever left, not deployed: a V8 code cache (NODE_COMPILE_CACHE written by an earlier process on this machine)`,
    columns: [
      'service',
      'function',
      'import: ours + code cache ms',
      'ours + code cache / ours (import)',
      'ours + code cache / ours (import CPU)',
      'default + code cache / default (import)',
      'default + code cache / (ours + code cache)',
    ],
    rows: rows.map((r) => [
      r.service,
      r.function,
      formatSample(r.importMs[OURS_CACHED] as Sample),
      formatRatio(ratio(r, OURS_CACHED, 'ours')),
      formatRatio(ratio(r, OURS_CACHED, 'ours', 'importCpuMs')),
      formatRatio(ratio(r, DEFAULT_CACHED, 'default')),
      formatRatio(ratio(r, DEFAULT_CACHED, OURS_CACHED)),
    ]),
  };
}

/** What the code cache would give, for the notes (Node versions that have it). */
function codeCacheSummary(node: NodeRuntime, rows: ColdInitRow[]): string[] {
  if (!hasCompileCache(node) || rows.length === 0) return [];
  const m = (a: string, b: string) => formatRatio(median(rows.map((r) => ratio(r, a, b))));
  return [
    `${node.label}, not deployed: with a V8 code cache ours imports at ${m(OURS_CACHED, 'ours')} of its time without one and the default build at ${m(DEFAULT_CACHED, 'default')} (medians over functions); default without a cache / ours with one: ${m('default', OURS_CACHED)}; both with one: ${m(DEFAULT_CACHED, OURS_CACHED)}. Why it is not deployed: bench/README.md ("The lever left").`,
  ];
}

function targetsFor(node: NodeRuntime, rows: ColdInitRow[]): TargetCheck[] {
  if (rows.length === 0) return [];
  const speedups = rows.map((r) => ({ r, s: ratio(r, 'default', 'ours') }));
  const slowest = speedups.reduce((w, x) => (x.s < w.s ? x : w));
  const processSpeedup = median(rows.map((r) => ratio(r, 'default', 'ours', 'processMs')));
  const hook = rows.map((r) => ratio(r, 'ours', 'ours-nohook'));
  const hookMedian = median(hook);
  const name = (r: ColdInitRow) => `${r.service}/${r.function}`;
  const checks: TargetCheck[] = [
    {
      target: `${node.label}: median cold-import speed-up over serverless-esbuild defaults ≥ 2.5×`,
      met: median(speedups.map((x) => x.s)) >= 2.5,
      detail: `median of per-function default / ours import medians: ${formatRatio(median(speedups.map((x) => x.s)))}`,
    },
    {
      target: `${node.label}: no function imports slower than its default build`,
      met: slowest.s >= 1,
      detail: `lowest: ${name(slowest.r)} at ${formatRatio(slowest.s)}`,
    },
    {
      target: `${node.label}: whole-process init ≥ 1.5× (median)`,
      met: processSpeedup >= 1.5,
      detail: `median of per-function default / ours process medians: ${formatRatio(processSpeedup)}`,
    },
    {
      target: `${node.label}: import cost of the mapping mechanism indistinguishable from zero`,
      met: hookMedian >= 0.97 && hookMedian <= 1.03,
      detail: `median of per-function ours / no-hook import medians: ${formatRatio(hookMedian)} (range ${formatRatio(Math.min(...hook))}–${formatRatio(Math.max(...hook))}); met when within 0.97–1.03×`,
    },
  ];
  return node.major === 22 ? checks : checks.map((c) => ({ ...c, target: `(for reference) ${c.target}` }));
}

interface Measured {
  imports: Map<string, number[]>;
  cpus: Map<string, number[]>;
  walls: Map<string, number[]>;
}

async function measure(
  fn: BenchFunction,
  files: Map<BundleVariant, string>,
  runtimes: NodeRuntime[],
  samples: number,
  script: string,
): Promise<Map<string, Measured>> {
  const out = new Map<string, Measured>(
    runtimes.map((n) => {
      const empty = () => new Map<string, number[]>(measuredKeys(n).map((v) => [v, []]));
      return [n.label, { imports: empty(), cpus: empty(), walls: empty() }];
    }),
  );
  const environment = lambdaLikeEnvironment(fn.environment);
  const fileOf = (key: string) => files.get(CODE_CACHED[key as CodeCachedKey] ?? (key as BundleVariant)) as string;
  // The code cache of each build and Node version lives beside the bundle (in the run's temporary
  // folder); one process that loads the bundle writes it, as a build step would have to (init code
  // included).
  const cacheEnvironment = (key: string, node: NodeRuntime) =>
    key in CODE_CACHED
      ? { ...environment, NODE_COMPILE_CACHE: join(dirname(fileOf(key)), `.compile-cache-node${node.major}`) }
      : environment;
  for (const node of runtimes.filter(hasCompileCache)) {
    for (const key of Object.keys(CODE_CACHED)) {
      const warm = await runProcess(node.path, [script, fileOf(key), fn.exportName], {
        env: cacheEnvironment(key, node),
        timeoutMs: 60_000,
      });
      childResult(warm);
    }
  }
  // Rounds interleave every variant on both Node versions, so a busy moment hits all of them alike.
  for (let round = 0; round < samples; round++) {
    for (const node of runtimes) {
      for (const key of measuredKeys(node)) {
        const result = await runProcess(node.path, [script, fileOf(key), fn.exportName], {
          env: cacheEnvironment(key, node),
          timeoutMs: 60_000,
        });
        const { importMs, importCpuMs } = childResult<{ importMs: number; importCpuMs: number }>(result);
        const m = out.get(node.label);
        m?.imports.get(key)?.push(importMs);
        m?.cpus.get(key)?.push(importCpuMs);
        m?.walls.get(key)?.push(result.wallMs);
      }
    }
  }
  return out;
}

export const coldInit: Benchmark = {
  name: 'cold-init',
  title: '3. Cold init: importing each function bundle in a fresh Node process (Node 22 and Node 20)',
  async run(context): Promise<BenchmarkOutcome> {
    const run = await perFunctionRun(context);
    if ('status' in run) return run;
    const { runtimes, notes } = run;
    const samples = context.quick ? 3 : 5;
    const script = join(context.repoRoot, 'bench', 'children', 'importBundle.mjs');
    const rows: ColdInitRow[] = [];
    for (const fn of run.functions) {
      context.log(`  ${fn.service}/${fn.name}`);
      try {
        const bundles = await Promise.all(VARIANTS.map((v) => context.bundles.get(fn, v)));
        const files = new Map(bundles.map((b) => [b.variant, b.file]));
        const measured = await measure(fn, files, runtimes, samples, script);
        for (const node of runtimes) {
          const m = measured.get(node.label);
          if (!m) continue;
          rows.push({
            node: node.label,
            service: fn.service,
            function: fn.name,
            bundleBytes: Object.fromEntries(bundles.map((b) => [b.variant, b.bundleBytes])),
            importMs: Object.fromEntries([...m.imports].map(([v, values]) => [v, summarize(values)])),
            importCpuMs: Object.fromEntries([...m.cpus].map(([v, values]) => [v, summarize(values)])),
            processMs: Object.fromEntries([...m.walls].map(([v, values]) => [v, summarize(values)])),
          });
        }
      } catch (error) {
        notes.push(`${fn.service}/${fn.name}: not available: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    const byNode = runtimes.map((node) => ({ node, rows: rows.filter((r) => r.node === node.label) }));
    return {
      status: rows.length === 0 ? 'not available' : notes.some((n) => n.includes('not available')) ? 'partial' : 'ok',
      tables: byNode.flatMap(({ node, rows: r }) => tablesFor(node, r)),
      targets: byNode.flatMap(({ node, rows: r }) => targetsFor(node, r)),
      notes: [
        `${samples} fresh processes per function, variant and Node version; every round runs every variant on both Node versions in turn (interleaved). No Node flag for any variant: none is deployed (serverless.shared.yml sets no NODE_OPTIONS; serverless-esbuild's defaults set none either).`,
        'import = time to load the bundle inside the process, performance.now() around require() (.cjs/.js) or import() (.mjs), as the Lambda runtime loads them; process = whole-process init: spawn to exit of a process that starts Node, loads the bundle and exits.',
        'import CPU = CPU time of the process (user + system, every thread) over the same span: steadier than wall time on a busy machine.',
        'Variants: ours = esbuild.config.cjs as `osls package` runs it; default = serverless-esbuild defaults; no hook = ours without the stack-trace hook and table; ESM = ours as ESM .mjs; without keepNames = ours minified without keepNames; full credential chain = the `osls invoke local` build; ours + code cache and default + code cache (Node ≥ 22.1, not deployed) = the build loaded with NODE_COMPILE_CACHE pointing at the cache an earlier process wrote. See bench/README.md.',
        "The function's deployed environment is set (CloudFormation-computed values from custom.local.environment or the local template resolver); AWS endpoints point at a closed 127.0.0.1 port.",
        ...byNode.flatMap(({ node, rows: r }) => codeCacheSummary(node, r)),
        ...notes,
      ],
      data: { samplesPerVariant: samples, runtimes, functions: rows },
    };
  },
};
