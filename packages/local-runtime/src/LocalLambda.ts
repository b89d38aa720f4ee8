import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TemplateResolver } from '@blueprints/packaging';
import type { Context } from 'aws-lambda';
import { FunctionTimeoutError, functionErrorPayload } from './functionError.js';
import { type LambdaLogWriter, openInvocationLog, runWithInvocationLog } from './invocationLog.js';

// biome-ignore lint/suspicious/noExplicitAny: a Lambda handler takes any event shape.
export type Handler = (event: any, context: Context) => unknown;

/** One AWS::Lambda::Function of a packaged template, resolved to local values. */
export interface LocalFunction {
  logicalId: string;
  name: string;
  arn: string;
  /** `src/handlers/presign.handler` */
  handler: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memorySize: number;
}

/** Turns a function's `Handler` string into the function to call (from sources in tests, from bundles in `pnpm dev`). */
export type HandlerLoader = (fn: LocalFunction) => Promise<Handler>;

export class FunctionNotFoundError extends Error {
  constructor(nameOrArn: string, known: string[]) {
    super(`No local function "${nameOrArn}"; known: ${known.join(', ') || '(none)'}`);
    this.name = 'FunctionNotFoundError';
  }
}

/** Every Lambda function a packaged template declares. */
export function functionsFromTemplate(resolver: TemplateResolver): LocalFunction[] {
  return Object.entries(resolver.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => {
      const p = r.Properties ?? {};
      const variables = resolver.resolve(
        (p.Environment as { Variables?: unknown } | undefined)?.Variables ?? {},
        `${logicalId}.Environment`,
      ) as Record<string, unknown>;
      return {
        logicalId,
        name: resolver.physicalName(logicalId),
        arn: resolver.arn(logicalId),
        handler: String(p.Handler),
        environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
        timeoutSeconds: Number(p.Timeout ?? 6),
        memorySize: Number(p.MemorySize ?? 1024),
      };
    });
}

/**
 * Loads handlers from the service's TypeScript sources (`src/handlers/x.handler` → `src/handlers/x.ts`).
 * Works under jest and tsx. `instance` names a separate copy of the handler module per function (a
 * query string on its URL), so two deployments of one service in one process each read their own
 * configuration at module load.
 */
export function sourceHandlerLoader(
  serviceDir: string,
  options: { instance?: (fn: LocalFunction) => string } = {},
): HandlerLoader {
  return async (fn) => {
    const dot = fn.handler.lastIndexOf('.');
    const file = join(serviceDir, `${fn.handler.slice(0, dot)}.ts`);
    const instance = options.instance?.(fn);
    const url = pathToFileURL(file).href + (instance ? `?instance=${encodeURIComponent(instance)}` : '');
    const mod = (await import(url)) as Record<string, unknown>;
    const handler = mod[fn.handler.slice(dot + 1)];
    if (typeof handler !== 'function') throw new Error(`${file} does not export "${fn.handler.slice(dot + 1)}"`);
    return handler as Handler;
  };
}

/** A Lambda-shaped context object for a local invocation. */
export function createLambdaContext(fn: LocalFunction, requestId: string = randomUUID()): Context {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The environment of the function whose invocation (or module load) the current async context belongs to. */
const functionEnvironment = new AsyncLocalStorage<Record<string, string>>();
/** The `process.env` views made by `isolateFunctionEnvironments` (a test may put back a plain object). */
const isolatedViews = new WeakSet<object>();

/**
 * Replaces `process.env` (once per process) with a view that, inside an invocation, shows the
 * invoked function's variables over the host's, and outside shows the host's alone. Function
 * variables are never written to the host environment, so no function sees another's, even when
 * invocations overlap and read `process.env` after an await (as the AWS SDK does).
 */
function isolateFunctionEnvironments(): void {
  if (isolatedViews.has(process.env)) return;
  const host = process.env;
  const own = (key: string | symbol): Record<string, string> | undefined => {
    const env = functionEnvironment.getStore();
    return env && typeof key === 'string' && Object.hasOwn(env, key) ? env : undefined;
  };
  process.env = new Proxy(host, {
    get: (target, key) => own(key)?.[key as string] ?? Reflect.get(target, key),
    set: (target, key, value) => {
      const env = functionEnvironment.getStore();
      if (env && typeof key === 'string') env[key] = String(value);
      else Reflect.set(target, key, String(value));
      return true;
    },
    has: (target, key) => own(key) !== undefined || Reflect.has(target, key),
    deleteProperty: (target, key) => {
      const env = own(key);
      if (env) delete env[key as string];
      else Reflect.deleteProperty(target, key);
      return true;
    },
    ownKeys: (target) => [
      ...new Set([...Reflect.ownKeys(target), ...Object.keys(functionEnvironment.getStore() ?? {})]),
    ],
    getOwnPropertyDescriptor: (target, key) => {
      const env = own(key);
      if (!env) return Reflect.getOwnPropertyDescriptor(target, key);
      return { value: env[key as string], writable: true, enumerable: true, configurable: true };
    },
  });
  isolatedViews.add(process.env);
}

/** How `LocalLambda` runs its functions beyond loading them. */
export interface LocalLambdaOptions {
  /**
   * Where each invocation's `START`/`END`/`REPORT` lines and its handler's output go (e.g.
   * `terminalLogWriter`). Without one, the handler's output reaches the terminal unchanged and the
   * `START`/`END`/`REPORT` lines are only in `Invocation.log`.
   */
  logWriter?: LambdaLogWriter;
  /**
   * Fail an invocation with `FunctionTimeoutError` once its handler has run for the function's
   * `Timeout`, as Lambda does (the handler's own work cannot be stopped in process and runs on).
   * Off by default: tests that assert a handler's own deadline keep their exact behaviour.
   */
  enforceTimeout?: boolean;
}

/** One finished invocation: its outcome, timings and log. */
export interface Invocation {
  functionName: string;
  requestId: string;
  status: 'ok' | 'error' | 'timeout';
  /** The handler's result (status `ok`). */
  result?: unknown;
  /** What the handler threw, or a `FunctionTimeoutError` (status `error` or `timeout`). */
  error?: unknown;
  durationMs: number;
  /** Set on the invocation that loaded the handler's module. */
  initDurationMs?: number;
  /** The invocation's log as Lambda writes it: `START`, the handler's output, `END`, `REPORT` (its last 64 KB). */
  log: string;
}

/**
 * The local Lambda service: invokes a template's functions by name or ARN. A function's module
 * loads and each of its calls run with its environment (the base environment plus its template's
 * variables) in `process.env`, over the host's: handlers read their configuration at module load, as
 * they do in Lambda. No function sees another function's variables, even while invocations overlap;
 * a variable a function sets stays its own, like in its Lambda execution environment.
 *
 * @example
 * const lambda = new LocalLambda(functionsFromTemplate(resolver), sourceHandlerLoader(serviceDir));
 * await lambda.invoke('orders-dev-persist', sqsEvent);
 */
export class LocalLambda {
  private readonly byKey = new Map<string, LocalFunction>();
  private readonly loaded = new Map<string, Promise<Handler>>();
  /** Each function's variables, kept between calls like its execution environment's. */
  private readonly environments = new Map<string, Record<string, string>>();

  constructor(
    functions: LocalFunction[],
    private readonly loader: HandlerLoader,
    private readonly baseEnvironment: Record<string, string> = {},
    private readonly options: LocalLambdaOptions = {},
  ) {
    for (const fn of functions) this.register(fn);
  }

  /**
   * The next invocation of each named function (default: all) starts a new execution environment:
   * its module is loaded again (a cold start) and its variables start afresh. With `functions`, the
   * functions are redefined first (a changed template). Invocations in flight finish on the module
   * they started with.
   */
  reload(names?: string[], functions?: LocalFunction[]): void {
    if (functions) {
      this.byKey.clear();
      for (const fn of functions) this.register(fn);
    }
    for (const name of names ?? [...this.loaded.keys(), ...this.environments.keys()]) {
      this.loaded.delete(name);
      this.environments.delete(name);
    }
  }

  private register(fn: LocalFunction): void {
    this.byKey.set(fn.name, fn);
    this.byKey.set(fn.arn, fn);
    this.byKey.set(fn.logicalId, fn);
  }

  get functions(): LocalFunction[] {
    return [...new Set(this.byKey.values())];
  }

  find(nameOrArn: string): LocalFunction {
    const fn = this.byKey.get(nameOrArn) ?? this.byKey.get(nameOrArn.replace(/:(\$LATEST|\d+)$/, ''));
    if (!fn)
      throw new FunctionNotFoundError(
        nameOrArn,
        this.functions.map((f) => f.name),
      );
    return fn;
  }

  /** Invokes a function and returns its result, or throws what it threw (or a `FunctionTimeoutError`). */
  async invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    const invocation = await this.invokeWithLog(nameOrArn, event);
    if (invocation.status !== 'ok') throw invocation.error;
    return invocation.result;
  }

  /**
   * Invokes a function and reports how it went, never throwing for the handler's failure (only
   * `FunctionNotFoundError` for an unknown name): the Invoke API answers from this.
   *
   * `requestId` lets a caller answer with the id before the invocation ends (an `Event` invocation).
   *
   * @example
   * const { status, result, log } = await lambda.invokeWithLog('orders-dev-create', { id: '1' });
   */
  async invokeWithLog(nameOrArn: string, event: unknown, options: { requestId?: string } = {}): Promise<Invocation> {
    const fn = this.find(nameOrArn);
    isolateFunctionEnvironments();
    let environment = this.environments.get(fn.name);
    if (!environment) {
      environment = { ...this.baseEnvironment, ...fn.environment };
      this.environments.set(fn.name, environment);
    }
    const requestId = options.requestId ?? randomUUID();
    const log = openInvocationLog(fn.name, requestId, this.options.logWriter);
    const started = performance.now();
    let initDurationMs: number | undefined;
    log.start();
    const outcome = await functionEnvironment.run(environment, () =>
      runWithInvocationLog(log, async (): Promise<Pick<Invocation, 'status' | 'result' | 'error'>> => {
        try {
          let handler = this.loaded.get(fn.name);
          if (!handler) {
            handler = this.loader(fn);
            this.loaded.set(fn.name, handler);
            await handler.finally(() => {
              initDurationMs = performance.now() - started;
            });
          }
          const run = (await handler)(event, createLambdaContext(fn, requestId));
          const result = this.options.enforceTimeout ? await withTimeout(run, fn.timeoutSeconds, requestId) : await run;
          return { status: 'ok', result };
        } catch (error) {
          return { status: error instanceof FunctionTimeoutError ? 'timeout' : 'error', error };
        }
      }),
    );
    const durationMs = performance.now() - started - (initDurationMs ?? 0);
    if (outcome.status === 'timeout') log.timedOut(fn.timeoutSeconds);
    else if (outcome.status === 'error') {
      const payload = functionErrorPayload(outcome.error);
      log.error(payload.errorType, payload.errorMessage, payload.trace);
    }
    log.end({ durationMs, initDurationMs, memorySizeMb: fn.memorySize, status: outcome.status });
    return { functionName: fn.name, requestId, ...outcome, durationMs, initDurationMs, log: log.text() };
  }
}

/** Settles with `work`, or rejects with `FunctionTimeoutError` once the function's timeout has passed. */
async function withTimeout(work: unknown, timeoutSeconds: number, requestId: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FunctionTimeoutError(requestId, timeoutSeconds)), timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
