// `pnpm bench [--quick] [--only name[,name]] [--keep]`: runs the benchmarks of issues 8 and 14 on this
// machine, prints a table per benchmark and writes bench/results.json and bench/results.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { version as esbuildVersion } from 'esbuild';
import { buildTime } from './benchmarks/buildTime.js';
import { coldInit } from './benchmarks/coldInit.js';
import { enrichment } from './benchmarks/enrichment.js';
import { errorCost } from './benchmarks/errorCost.js';
import { eventPublishing } from './benchmarks/eventPublishing.js';
import { iot } from './benchmarks/iot.js';
import { packageSize } from './benchmarks/packageSize.js';
import { profile } from './benchmarks/profile.js';
import { BundleStore } from './harness/bundles.js';
import { readInventory, type ServiceInventory } from './harness/functions.js';
import { describeMachine } from './harness/machine.js';
import { printResult, writeReports } from './harness/report.js';
import type { BenchContext, Benchmark, BenchmarkResult } from './harness/types.js';

const BENCHMARKS: Benchmark[] = [
  packageSize,
  errorCost,
  coldInit,
  enrichment,
  iot,
  eventPublishing,
  buildTime,
  profile,
];

function parseArguments(argv: string[]): { quick: boolean; only: string[]; keep: boolean } {
  const options = { quick: false, only: [] as string[], keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') continue;
    if (arg === '--quick') options.quick = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg.startsWith('--only=') ? arg.slice('--only='.length) : argv[++i];
      if (!value) throw new Error('--only needs a benchmark name');
      options.only.push(...value.split(',').filter(Boolean));
    } else if (arg === '--help' || arg === '-h') {
      console.log(
        `usage: pnpm bench [--quick] [--only <name>[,<name>]] [--keep]\nbenchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  const unknown = options.only.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  }
  return options;
}

async function main(): Promise<void> {
  // In-process benchmarks load AWS SDK clients; its Node-version notice is noise in the report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const options = parseArguments(process.argv.slice(2));
  const benchDir = dirname(fileURLToPath(import.meta.url));
  const repoRoot = join(benchDir, '..');
  const workDir = mkdtempSync(join(tmpdir(), 'blueprints-bench-'));
  const started = performance.now();
  const machine = describeMachine(repoRoot, esbuildVersion);
  console.log(
    `blueprints bench${options.quick ? ' --quick' : ''}: ${machine.cpuModel} ×${machine.cores}, ${machine.memoryGiB} GiB, Node ${machine.node}, load ${machine.loadAverageAtStart}`,
  );
  if (machine.loadAverageAtStart > machine.cores) {
    console.log(
      `warning: load ${machine.loadAverageAtStart} on ${machine.cores} cores: absolute times will be inflated; ratios of interleaved runs are less affected`,
    );
  }
  let inventory: Promise<ServiceInventory> | undefined;
  const log = (message: string) => console.log(message);
  const context: BenchContext = {
    quick: options.quick,
    repoRoot,
    workDir,
    log,
    inventory: () => {
      inventory ??= readInventory(repoRoot, log);
      return inventory;
    },
    bundles: new BundleStore(repoRoot, join(workDir, 'bundles')),
  };
  const selected = options.only.length ? BENCHMARKS.filter((b) => options.only.includes(b.name)) : BENCHMARKS;
  const results: BenchmarkResult[] = [];
  try {
    for (const benchmark of selected) {
      console.log(`\n>> ${benchmark.title}`);
      const benchStarted = performance.now();
      let result: BenchmarkResult;
      try {
        const outcome = await benchmark.run(context);
        result = {
          name: benchmark.name,
          title: benchmark.title,
          seconds: (performance.now() - benchStarted) / 1000,
          ...outcome,
        };
      } catch (error) {
        // A benchmark that breaks is reported, and the others still run.
        const reason = `failed: ${error instanceof Error ? error.message : String(error)}`.split('\n')[0] as string;
        result = {
          name: benchmark.name,
          title: benchmark.title,
          seconds: (performance.now() - benchStarted) / 1000,
          status: 'not available',
          reason,
          tables: [],
          targets: [],
          notes: [],
          data: { error: error instanceof Error ? error.stack : String(error) },
        };
      }
      results.push(result);
      printResult(result);
    }
  } finally {
    if (options.keep) console.log(`\nkept the work folder ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
  writeReports(
    {
      machine,
      options: { quick: options.quick, only: options.only },
      loadAverageAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      seconds: (performance.now() - started) / 1000,
      benchmarks: results,
    },
    join(benchDir, 'results.json'),
    join(benchDir, 'results.md'),
  );
  // results.md is committed, so it is written in the repo's format (Biome aligns Markdown tables).
  const biome = join(repoRoot, 'node_modules', '.bin', 'biome');
  if (existsSync(biome)) {
    spawnSync(biome, ['format', '--write', join(benchDir, 'results.md')], { stdio: 'ignore', timeout: 60_000 });
  }
  console.log(
    `\nwrote bench/results.json and bench/results.md (${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
