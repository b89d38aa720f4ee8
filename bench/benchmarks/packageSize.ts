import { formatBytes, formatRatio } from '../harness/statistics.js';
import type { Benchmark, BenchmarkOutcome } from '../harness/types.js';
import { notAvailable } from '../harness/types.js';

interface SizeRow {
  service: string;
  function: string;
  ours: { bundle: number; map: number; zip: number };
  untrimmedMap: number;
  default: { bundle: number; zip: number };
  defaultWithSourcemap: { map: number; zip: number };
}

export const packageSize: Benchmark = {
  name: 'package-size',
  title: '1. Package size: esbuild.config.cjs vs serverless-esbuild defaults',
  async run(context): Promise<BenchmarkOutcome> {
    const inventory = await context.inventory();
    if (inventory.functions.length === 0) {
      return notAvailable(
        `no function could be read (${inventory.unavailable.map((u) => `${u.service}: ${u.reason}`).join('; ')})`,
      );
    }
    const rows: SizeRow[] = [];
    const notes: string[] = inventory.unavailable.map((u) => `${u.service}: not available: ${u.reason}`);
    for (const fn of inventory.functions) {
      try {
        const [ours, untrimmed, plain, mapped] = await Promise.all([
          context.bundles.get(fn, 'ours'),
          context.bundles.get(fn, 'ours-untrimmed'),
          context.bundles.get(fn, 'default'),
          context.bundles.get(fn, 'default-sourcemap'),
        ]);
        rows.push({
          service: fn.service,
          function: fn.name,
          ours: { bundle: ours.bundleBytes, map: ours.mapBytes, zip: ours.zipBytes },
          untrimmedMap: untrimmed.mapBytes,
          default: { bundle: plain.bundleBytes, zip: plain.zipBytes },
          defaultWithSourcemap: { map: mapped.mapBytes, zip: mapped.zipBytes },
        });
      } catch (error) {
        notes.push(`${fn.service}/${fn.name}: not available: build failed: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    const sum = (pick: (r: SizeRow) => number) => rows.reduce((total, r) => total + pick(r), 0);
    const total = {
      ours: { bundle: sum((r) => r.ours.bundle), map: sum((r) => r.ours.map), zip: sum((r) => r.ours.zip) },
      untrimmedMap: sum((r) => r.untrimmedMap),
      default: { bundle: sum((r) => r.default.bundle), zip: sum((r) => r.default.zip) },
      defaultWithSourcemap: {
        map: sum((r) => r.defaultWithSourcemap.map),
        zip: sum((r) => r.defaultWithSourcemap.zip),
      },
    };
    const line = (label: string[], r: Omit<SizeRow, 'service' | 'function'>): string[] => [
      ...label,
      formatBytes(r.ours.zip),
      formatBytes(r.default.zip),
      formatRatio(r.default.zip / r.ours.zip),
      formatBytes(r.defaultWithSourcemap.zip),
      formatRatio(r.defaultWithSourcemap.zip / r.ours.zip),
      formatBytes(r.ours.bundle),
      formatBytes(r.default.bundle),
      formatBytes(r.ours.map),
      formatBytes(r.untrimmedMap),
      formatBytes(r.defaultWithSourcemap.map),
      formatRatio(r.defaultWithSourcemap.map / r.ours.map),
    ];
    return {
      status: notes.some((n) => n.includes('not available')) ? 'partial' : 'ok',
      tables: [
        {
          columns: [
            'service',
            'function',
            'zip: ours',
            'zip: default',
            'default / ours',
            'zip: default + sourcemap',
            'default+map / ours',
            'bundle: ours',
            'bundle: default',
            'map: ours',
            'map: ours untrimmed',
            'map: default + sourcemap',
            'default map / ours',
          ],
          rows: [...rows.map((r) => line([r.service, r.function], r)), line(['total', ''], total)],
        },
      ],
      targets: [],
      notes: [
        'Sizes are exact (no repetition needed). "ours" = esbuild.config.cjs through its toEsbuildOptions(); zip = bundle + map.',
        '"default" = serverless-esbuild 1.57 DEFAULT_BUILD_OPTIONS for nodejs22.x (bundle, platform node, target node22, external aws-sdk) and esbuild defaults otherwise: CommonJS .js, not minified, no source map. "default + sourcemap" adds `sourcemap: true` (linked map with sourcesContent).',
        'A service-level esbuild `loader` (custom.bundle.loader, e.g. .sql as text) is kept in the default build too, or it would not build.',
        ...notes,
      ],
      data: { functions: rows, total },
    };
  },
};
