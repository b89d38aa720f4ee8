import type { BundleStore } from './bundles.js';
import type { ServiceInventory } from './functions.js';

/** A table as printed and written to results.md (cells already formatted). */
export interface ResultTable {
  title?: string;
  columns: string[];
  rows: string[][];
}

/** One target of issue 8, checked against this run's figures. `met: null` = could not be checked. */
export interface TargetCheck {
  target: string;
  met: boolean | null;
  detail: string;
}

export interface BenchmarkOutcome {
  /** `partial`: some rows could not be measured (the notes say which and why). */
  status: 'ok' | 'partial' | 'not available';
  reason?: string;
  tables: ResultTable[];
  targets: TargetCheck[];
  notes: string[];
  /** Raw figures for results.json. */
  data: unknown;
}

export interface BenchmarkResult extends BenchmarkOutcome {
  name: string;
  title: string;
  seconds: number;
}

export interface BenchContext {
  quick: boolean;
  repoRoot: string;
  /** A temporary folder for this run (removed at the end). */
  workDir: string;
  log(message: string): void;
  /** Every service and function, read from the packaged templates (packaged on first use). */
  inventory(): Promise<ServiceInventory>;
  bundles: BundleStore;
}

export interface Benchmark {
  name: string;
  title: string;
  run(context: BenchContext): Promise<BenchmarkOutcome>;
}

export function notAvailable(reason: string, notes: string[] = []): BenchmarkOutcome {
  return { status: 'not available', reason, tables: [], targets: [], notes, data: { reason } };
}
