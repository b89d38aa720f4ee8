import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { TemplateResolver } from '../cloudformation/template.js';

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

/**
 * The local Lambda service: invokes a template's functions by name or ARN. A function's environment
 * is applied to `process.env` before its module loads and before each call, because handlers read
 * their configuration at module load, as they do in Lambda.
 *
 * @example
 * const lambda = new LocalLambda(functionsFromTemplate(resolver), sourceHandlerLoader(serviceDir));
 * await lambda.invoke('event-logger-dev-persist', sqsEvent);
 */
export class LocalLambda {
  private readonly byKey = new Map<string, LocalFunction>();
  private readonly loaded = new Map<string, Promise<Handler>>();

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
    Object.assign(process.env, this.baseEnvironment, fn.environment);
    let handler = this.loaded.get(fn.name);
    if (!handler) {
      handler = this.loader(fn);
      this.loaded.set(fn.name, handler);
    }
    return (await handler)(event, createLambdaContext(fn));
  }
}
