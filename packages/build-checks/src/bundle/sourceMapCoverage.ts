const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** The fields of a source map the coverage count reads. */
export interface SourceMap {
  version: number;
  sources: string[];
  mappings: string;
  sourcesContent?: unknown;
}

/** Decodes one segment's base64 VLQ fields. */
function decodeSegment(segment: string): number[] {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`Invalid base64 VLQ character "${char}" in source map mappings`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return fields;
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
  let source = 0;
  let originalLine = 0;
  for (const line of map.mappings.split(';')) {
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const fields = decodeSegment(segment);
      if (fields.length < 4) continue;
      source += fields[1]!;
      originalLine += fields[2]!;
      const name = map.sources[source];
      if (name === undefined) continue;
      segments.set(name, (segments.get(name) ?? 0) + 1);
      lines.get(name)?.add(originalLine);
    }
  }
  return new Map(map.sources.map((s) => [s, { segments: segments.get(s) ?? 0, lines: lines.get(s)?.size ?? 0 }]));
}

/** True for a source path inside node_modules (vendor code). */
export function isVendorSource(source: string): boolean {
  return /(^|[\\/])node_modules[\\/]/.test(source);
}
