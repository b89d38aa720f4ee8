import { join } from 'node:path';
import type { BundleVariant } from '../harness/bundles.js';
import { childResult, lambdaLikeEnvironment, runProcess } from '../harness/childProcess.js';
import { formatBytes, formatRatio, formatSample, type Sample, summarize } from '../harness/statistics.js';
import type { Benchmark, BenchmarkOutcome } from '../harness/types.js';
import { notAvailable } from '../harness/types.js';

const VARIANTS: Array<{ variant: BundleVariant; label: string }> = [
  { variant: 'ours', label: 'ours (trimmed map)' },
  { variant: 'ours-untrimmed', label: 'untrimmed map' },
  { variant: 'ours-nomap', label: 'no map' },
];

interface ErrorCostRow {
  service: string;
  function: string;
  mapBytes: Record<string, number>;
  stackMs: Record<string, Sample>;
  ratioToNoMap: number;
  topFrames: string[];
}

export const errorCost: Benchmark = {
  name: 'error-cost',
  title: '2. Error cost: first error.stack under node --enable-source-maps',
  async run(context): Promise<BenchmarkOutcome> {
    const inventory = await context.inventory();
    if (inventory.functions.length === 0) return notAvailable('no function could be read');
    const samples = context.quick ? 3 : 15;
    const script = join(context.repoRoot, 'bench', 'children', 'firstStack.mjs');
    const rows: ErrorCostRow[] = [];
    const notes: string[] = inventory.unavailable.map((u) => `${u.service}: not available: ${u.reason}`);
    for (const fn of inventory.functions) {
      context.log(`  ${fn.service}/${fn.name}`);
      try {
        const bundles = await Promise.all(
          VARIANTS.map((v) => context.bundles.get(fn, v.variant, { throwFooter: true })),
        );
        const times = new Map<string, number[]>(VARIANTS.map((v) => [v.variant, []]));
        let topFrames: string[] = [];
        // Rounds interleave the variants, so a busy moment on the machine hits all three alike.
        for (let round = 0; round < samples; round++) {
          for (const [i, bundle] of bundles.entries()) {
            const result = await runProcess(process.execPath, ['--enable-source-maps', script, bundle.file], {
              env: lambdaLikeEnvironment(fn.environment),
              timeoutMs: 30_000,
            });
            const { stackMs, frames } = childResult<{ stackMs: number; frames: string[] }>(result);
            times.get(bundle.variant)?.push(stackMs);
            if (i === 0 && round === 0) topFrames = frames;
          }
        }
        const stackMs = Object.fromEntries([...times].map(([variant, values]) => [variant, summarize(values)]));
        rows.push({
          service: fn.service,
          function: fn.name,
          mapBytes: Object.fromEntries(bundles.map((b) => [b.variant, b.mapBytes])),
          stackMs,
          ratioToNoMap: (stackMs.ours?.median ?? Number.NaN) / (stackMs['ours-nomap']?.median ?? Number.NaN),
          topFrames,
        });
      } catch (error) {
        notes.push(`${fn.service}/${fn.name}: not available: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    const worstRatio = rows.reduce((w, r) => (r.ratioToNoMap > (w?.ratioToNoMap ?? -1) ? r : w), rows[0]);
    const slowest = rows.reduce(
      (w, r) => ((r.stackMs.ours?.median ?? 0) > (w?.stackMs.ours?.median ?? -1) ? r : w),
      rows[0],
    );
    const name = (r: ErrorCostRow | undefined) => (r ? `${r.service}/${r.function}` : 'n/a');
    return {
      status: rows.length === 0 ? 'not available' : notes.some((n) => n.includes('not available')) ? 'partial' : 'ok',
      tables: [
        {
          columns: [
            'service',
            'function',
            ...VARIANTS.map((v) => `${v.label} ms`),
            'ours / no map',
            'untrimmed / ours',
            'map: ours',
            'map: untrimmed',
          ],
          rows: rows.map((r) => [
            r.service,
            r.function,
            ...VARIANTS.map((v) => formatSample(r.stackMs[v.variant] as Sample)),
            formatRatio(r.ratioToNoMap),
            formatRatio((r.stackMs['ours-untrimmed']?.median ?? Number.NaN) / (r.stackMs.ours?.median ?? Number.NaN)),
            formatBytes(r.mapBytes.ours ?? 0),
            formatBytes(r.mapBytes['ours-untrimmed'] ?? 0),
          ]),
        },
      ],
      targets: rows.length
        ? [
            {
              target: 'ours within 2× of no maps on every function (medians)',
              met: rows.every((r) => r.ratioToNoMap <= 2),
              detail: `worst: ${name(worstRatio)} at ${formatRatio(worstRatio?.ratioToNoMap ?? Number.NaN)}`,
            },
            {
              target: 'ours never above 5 ms (median per function)',
              met: rows.every((r) => (r.stackMs.ours?.median ?? Number.POSITIVE_INFINITY) <= 5),
              detail: `slowest: ${name(slowest)} at ${formatSample(slowest?.stackMs.ours as Sample, 'ms')}`,
            },
          ]
        : [],
      notes: [
        `${samples} fresh processes per function and variant (median, p10–p90 or min–max), variants interleaved.`,
        "How the throw happens: each bundle is built with an esbuild `footer` that defines `export function __benchThrow() { throw new Error(...) }`, so the throw is in the bundle file itself; the child imports the bundle, then times `__benchThrow()` + the first read of `error.stack` with performance.now(). V8 formats the stack lazily, and Node with --enable-source-maps decodes the bundle's map on that first read, which is the cost measured. The footer has no mapping of its own: Node resolves its frame to the nearest mapping before it (a line of the handler, shown in results.json `topFrames`), through the same one-time map decode as any frame.",
        'Variants: ours = esbuild.config.cjs; untrimmed = the same without the vendor-trimming plugin; no map = the same with sourcemap: false. Same bundle code in all three.',
        ...notes,
      ],
      data: { samplesPerVariant: samples, functions: rows },
    };
  },
};
