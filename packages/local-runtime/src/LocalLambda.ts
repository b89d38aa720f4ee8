import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TemplateResolver } from '@blueprints/packaging';
import type { Context } from 'aws-lambda';

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
export function createLambdaContext(fn: LocalFunction): Context {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memorySize),
    awsRequestId: randomUUID(),
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
  ) {
    for (const fn of functions) {
      this.byKey.set(fn.name, fn);
      this.byKey.set(fn.arn, fn);
      this.byKey.set(fn.logicalId, fn);
    }
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

  async invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    const fn = this.find(nameOrArn);
    isolateFunctionEnvironments();
    let environment = this.environments.get(fn.name);
    if (!environment) {
      environment = { ...this.baseEnvironment, ...fn.environment };
      this.environments.set(fn.name, environment);
    }
    return functionEnvironment.run(environment, async () => {
      let handler = this.loaded.get(fn.name);
      if (!handler) {
        handler = this.loader(fn);
        this.loaded.set(fn.name, handler);
      }
      return (await handler)(event, createLambdaContext(fn));
    });
  }
}
