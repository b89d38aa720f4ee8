import { decode } from '@jridgewell/sourcemap-codec';

/** The fields of a source map the coverage count reads. */
export interface SourceMap {
  version: number;
  sources: string[];
  mappings: string;
  sourcesContent?: unknown;
}

/**
 * How many mapping segments point into each source of a source map: a vendor file trimmed by the
 * shared esbuild config has at most one; a mapped file has one per token.
 *
 * @example
 * const counts = mappingsPerSource(JSON.parse(readFileSync('handler.mjs.map', 'utf8')));
 * counts.get('../../src/handlers/handler.ts'); // 120
 */
export function mappingsPerSource(map: SourceMap): Map<string, number> {
  return new Map([...sourceMapCoverage(map)].map(([source, { segments }]) => [source, segments]));
}

/**
 * Per source: how many segments point into it and how many distinct original lines they name. A
 * vendor package trimmed by the shared esbuild config names one line (line 1) however many
 * segments point at it; a mapped file names one line per line of its code in the bundle.
 *
 * @example
 * sourceMapCoverage(map).get('node_modules/@aws-sdk/client-sqs'); // { segments: 12, lines: 1 }
 */
export function sourceMapCoverage(map: SourceMap): Map<string, { segments: number; lines: number }> {
  const lines = new Map<string, Set<number>>(map.sources.map((s) => [s, new Set<number>()]));
  const segments = new Map<string, number>(map.sources.map((s) => [s, 0]));
  // An independent decoder (the one Babel and Rollup use), not esbuild.config.cjs's, which wrote these maps.
  for (const line of decode(map.mappings)) {
    for (const segment of line) {
      if (segment.length < 4) continue;
      const name = map.sources[segment[1] as number];
      if (name === undefined) continue;
      segments.set(name, (segments.get(name) ?? 0) + 1);
      lines.get(name)?.add(segment[2] as number);
    }
  }
  return new Map(map.sources.map((s) => [s, { segments: segments.get(s) ?? 0, lines: lines.get(s)?.size ?? 0 }]));
}

/** True for a source path inside node_modules (vendor code). */
export function isVendorSource(source: string): boolean {
  return /(^|[\\/])node_modules[\\/]/.test(source);
}
