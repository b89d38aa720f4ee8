import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type LocalFunction, mapBundleStackTrace } from '@blueprints/local-runtime';
import type { DevService } from './devEnvironment.js';

/** What the dashboard's invoke form gets back: the handler's result, or its error as Lambda's Invoke reports it. */
export interface DashboardInvocation {
  service: string;
  functionName: string;
  durationMs: number;
  result?: unknown;
  /** Set when the handler threw or ran past its timeout (Lambda's `X-Amz-Function-Error: Unhandled`). */
  functionError?: { errorType: string; errorMessage: string; trace: string[] };
}

/**
 * The logical id osls gives a function key (`sensorConsumer` → `SensorConsumerLambdaFunction`): how a
 * function in the packaged template is matched to `events/<function key>.json`, whatever its `name:`.
 */
function logicalIdOf(functionKey: string): string {
  const normalized = functionKey.replaceAll('-', 'Dash').replaceAll('_', 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

/**
 * The sample event of a function, `events/<function key>.json` in its service folder (relative
 * path), or `undefined` when the service has none for it.
 *
 * @example
 * sampleEventOf('/repo/services/orders', { logicalId: 'PublishLambdaFunction', … }); // 'events/publish.json'
 */
export function sampleEventOf(serviceDir: string, fn: Pick<LocalFunction, 'logicalId'>): string | undefined {
  const dir = join(serviceDir, 'events');
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).find(
    (f) => f.endsWith('.json') && logicalIdOf(f.slice(0, -'.json'.length)) === fn.logicalId,
  );
  return file === undefined ? undefined : `events/${file}`;
}

/** The service running a function, by its name, ARN or logical id. */
export function findDevFunction(
  services: DevService[],
  nameOrArn: string,
): { service: DevService; fn: LocalFunction } | undefined {
  for (const service of services) {
    const fn = service.functions.find((f) => f.name === nameOrArn || f.arn === nameOrArn);
    if (fn) return { service, fn };
  }
  return undefined;
}

/** Raised in place of a result when an invocation outlives its function's timeout. */
class FunctionTimedOutError extends Error {
  constructor(timeoutSeconds: number) {
    super(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    // The errorType Lambda reports for a timeout.
    this.name = 'Sandbox.Timedout';
  }
}

/**
 * Invokes one function through its service's local Lambda (so the invocation feed and terminal see
 * it like any other) and answers like Lambda's synchronous Invoke: the result, or a function error
 * with the stack mapped to the `.ts` sources. The answer comes by the function's timeout at the
 * latest; a handler that never settles is left running, as it would be until Lambda froze it.
 *
 * @example
 * const outcome = await invokeDevFunction(service, fn, { topic: 'news', message: 'hi' });
 * if (outcome.functionError) console.log(outcome.functionError.trace.join('\n'));
 */
export async function invokeDevFunction(
  service: DevService,
  fn: LocalFunction,
  payload: unknown,
): Promise<DashboardInvocation> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FunctionTimedOutError(fn.timeoutSeconds)), fn.timeoutSeconds * 1000);
  });
  const outcome = { service: service.name, functionName: fn.name };
  try {
    const result = await Promise.race([service.lambda.invoke(fn.name, payload), timedOut]);
    return { ...outcome, durationMs: Date.now() - started, result: result ?? null };
  } catch (error) {
    const e = error as Error;
    const stack = e instanceof FunctionTimedOutError ? '' : mapBundleStackTrace(String(e?.stack ?? ''));
    return {
      ...outcome,
      durationMs: Date.now() - started,
      functionError: {
        errorType: typeof e?.name === 'string' ? e.name : 'Error',
        errorMessage: String(e?.message ?? e),
        // Lambda's trace: the stack, one line per element.
        trace: stack ? stack.split('\n') : [],
      },
    };
  } finally {
    clearTimeout(timer);
  }
}
