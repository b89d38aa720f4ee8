/** Median and spread of repeated measurements. */
export interface Sample {
  n: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
}

/** Linear-interpolated percentile (q in 0..1) of sorted values. */
function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  return a + (b - a) * (position - lower);
}

/**
 * Summarises repeated measurements.
 *
 * @example
 * summarize([3, 1, 2]); // { n: 3, median: 2, p10: 1.2, p90: 2.8, min: 1, max: 3 }
 */
export function summarize(values: number[]): Sample {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 0.5),
    p10: percentile(sorted, 0.1),
    p90: percentile(sorted, 0.9),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** The value below which a fraction q of the values fall (p99 latency and the like). */
export function quantile(values: number[], q: number): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    q,
  );
}

export function median(values: number[]): number {
  return summarize(values).median;
}

/** A number with a precision that suits its size: 0.0123, 1.23, 12.3, 123, 12 345. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

/** `12.3 (11.9–13.0)`: median, then p10–p90 (or min–max with fewer than 10 values). */
export function formatSample(sample: Sample, unit = ''): string {
  const suffix = unit ? ` ${unit}` : '';
  if (sample.n <= 1) return `${formatNumber(sample.median)}${suffix}`;
  const [low, high] = sample.n >= 10 ? [sample.p10, sample.p90] : [sample.min, sample.max];
  return `${formatNumber(sample.median)}${suffix} (${formatNumber(low)}–${formatNumber(high)})`;
}

export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}
