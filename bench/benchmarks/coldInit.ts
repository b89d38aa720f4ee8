import { join } from 'node:path';
import type { BundleVariant } from '../harness/bundles.js';
import { childResult, lambdaLikeEnvironment, runProcess } from '../harness/childProcess.js';
import { formatBytes, formatRatio, formatSample, median, type Sample, summarize } from '../harness/statistics.js';
import type { Benchmark, BenchmarkOutcome } from '../harness/types.js';
import { notAvailable } from '../harness/types.js';

const VARIANTS: BundleVariant[] = ['ours', 'default'];

interface ColdInitRow {
  service: string;
  function: string;
  bundleBytes: Record<string, number>;
  importMs: Record<string, Sample>;
  processMs: Record<string, Sample>;
  /** default median / ours median */
  speedup: number;
}

export const coldInit: Benchmark = {
  name: 'cold-init',
  title: '3. Cold init: importing each function bundle in a fresh Node process',
  async run(context): Promise<BenchmarkOutcome> {
    const inventory = await context.inventory();
    if (inventory.functions.length === 0) return notAvailable('no function could be read');
    const samples = context.quick ? 3 : 25;
    const script = join(context.repoRoot, 'bench', 'children', 'importBundle.mjs');
    const rows: ColdInitRow[] = [];
    const notes: string[] = inventory.unavailable.map((u) => `${u.service}: not available: ${u.reason}`);
    for (const fn of inventory.functions) {
      context.log(`  ${fn.service}/${fn.name}`);
      try {
        const bundles = await Promise.all(VARIANTS.map((v) => context.bundles.get(fn, v)));
        // ours and default as deployed (--enable-source-maps), plus ours without the flag: what reading the map costs.
        const runs = [
          ...bundles.map((b) => ({ key: b.variant as string, file: b.file, flags: ['--enable-source-maps'] })),
          { key: 'ours-no-flag', file: (bundles[0] as { file: string }).file, flags: [] as string[] },
        ];
        const imports = new Map<string, number[]>(runs.map((r) => [r.key, []]));
        const walls = new Map<string, number[]>(runs.map((r) => [r.key, []]));
        for (let round = 0; round < samples; round++) {
          for (const run of runs) {
            const result = await runProcess(process.execPath, [...run.flags, script, run.file, fn.exportName], {
              env: lambdaLikeEnvironment(fn.environment),
              timeoutMs: 30_000,
            });
            const { importMs } = childResult<{ importMs: number }>(result);
            imports.get(run.key)?.push(importMs);
            walls.get(run.key)?.push(result.wallMs);
          }
        }
        const importMs = Object.fromEntries([...imports].map(([v, values]) => [v, summarize(values)]));
        rows.push({
          service: fn.service,
          function: fn.name,
          bundleBytes: Object.fromEntries(bundles.map((b) => [b.variant, b.bundleBytes])),
          importMs,
          processMs: Object.fromEntries([...walls].map(([v, values]) => [v, summarize(values)])),
          speedup: (importMs.default?.median ?? Number.NaN) / (importMs.ours?.median ?? Number.NaN),
        });
      } catch (error) {
        notes.push(`${fn.service}/${fn.name}: not available: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    const slowest = rows.reduce(
      (w, r) => ((r.importMs.ours?.median ?? 0) > (w?.importMs.ours?.median ?? -1) ? r : w),
      rows[0],
    );
    const medianSpeedup = median(rows.map((r) => r.speedup));
    return {
      status: rows.length === 0 ? 'not available' : notes.some((n) => n.includes('not available')) ? 'partial' : 'ok',
      tables: [
        {
          columns: [
            'service',
            'function',
            'import: ours ms',
            'import: default ms',
            'default / ours',
            'import: ours without --enable-source-maps ms',
            'process: ours ms',
            'process: default ms',
            'bundle: ours',
            'bundle: default',
          ],
          rows: rows.map((r) => [
            r.service,
            r.function,
            formatSample(r.importMs.ours as Sample),
            formatSample(r.importMs.default as Sample),
            formatRatio(r.speedup),
            formatSample(r.importMs['ours-no-flag'] as Sample),
            formatSample(r.processMs.ours as Sample),
            formatSample(r.processMs.default as Sample),
            formatBytes(r.bundleBytes.ours ?? 0),
            formatBytes(r.bundleBytes.default ?? 0),
          ]),
        },
      ],
      targets: rows.length
        ? [
            {
              target: 'no function above 150 ms (median import, ours)',
              met: rows.every((r) => (r.importMs.ours?.median ?? Number.POSITIVE_INFINITY) <= 150),
              detail: `slowest: ${slowest ? `${slowest.service}/${slowest.function}` : 'n/a'} at ${formatSample(slowest?.importMs.ours as Sample, 'ms')}`,
            },
            {
              target: 'median function at least 2× faster than the default configuration',
              met: medianSpeedup >= 2,
              detail: `median of per-function speed-ups (default / ours import medians): ${formatRatio(medianSpeedup)}`,
            },
          ]
        : [],
      notes: [
        `${samples} fresh processes per function and variant, interleaved; \`node --enable-source-maps\` for both (as deployed: serverless.shared.yml sets NODE_OPTIONS=--enable-source-maps).`,
        'The column without --enable-source-maps (ours only, not how it is deployed) shows what loading the source map costs at import: Node reads and parses the linked map when the module loads under that flag.',
        'import = time to load the bundle inside the process, measured with performance.now() around import() for ours (.mjs) and require() for the default (CommonJS .js), as the Lambda runtime loads them; process = spawn to exit, including Node start-up.',
        "The function's deployed environment is set (CloudFormation-computed values from custom.local.environment or the local template resolver); AWS endpoints point at a closed 127.0.0.1 port.",
        ...notes,
      ],
      data: { samplesPerVariant: samples, medianSpeedup, functions: rows },
    };
  },
};
