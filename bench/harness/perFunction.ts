import type { BenchFunction } from './functions.js';
import { type NodeRuntime, nodeRuntimes } from './nodes.js';
import { type BenchContext, type BenchmarkOutcome, notAvailable } from './types.js';

/** What a benchmark that runs every function on every Node runtime starts from. */
export interface PerFunctionRun {
  functions: BenchFunction[];
  runtimes: NodeRuntime[];
  /** Runtimes and services that could not be had, already phrased for the report. */
  notes: string[];
}

/**
 * The functions and Node runtimes a per-function benchmark runs on, or the "not available" outcome
 * when there is nothing to run.
 *
 * @example
 * const run = await perFunctionRun(context);
 * if ('status' in run) return run;
 */
export async function perFunctionRun(context: BenchContext): Promise<PerFunctionRun | BenchmarkOutcome> {
  const inventory = await context.inventory();
  if (inventory.functions.length === 0) return notAvailable('no function could be read');
  const { runtimes, unavailable } = nodeRuntimes(context.log);
  if (runtimes.length === 0) return notAvailable('no Node.js runtime', unavailable);
  return {
    functions: inventory.functions,
    runtimes,
    notes: [...unavailable, ...inventory.unavailable.map((u) => `${u.service}: not available: ${u.reason}`)],
  };
}
