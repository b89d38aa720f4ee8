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
 * Works under jest and tsx.
 */
export function sourceHandlerLoader(serviceDir: string): HandlerLoader {
  return async (fn) => {
    const dot = fn.handler.lastIndexOf('.');
    const file = join(serviceDir, `${fn.handler.slice(0, dot)}.ts`);
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
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

/** Host values of the variables function environments have replaced (undefined: the host had none). */
const hostValues = new Map<string, string | undefined>();
/** The variables the last applied function environment set, whichever LocalLambda applied it. */
let appliedKeys = new Set<string>();
/** First loads, one after another: a module reads `process.env` while it loads, across awaits. */
let firstLoads: Promise<unknown> = Promise.resolve();

/**
 * Makes `process.env` hold `variables` and nothing another function set: variables of the previous
 * function that this one does not declare go back to their host value (or away).
 */
function applyFunctionEnvironment(variables: Record<string, string>): void {
  for (const key of appliedKeys) {
    if (key in variables) continue;
    const host = hostValues.get(key);
    if (host === undefined) delete process.env[key];
    else process.env[key] = host;
    hostValues.delete(key);
  }
  for (const [key, value] of Object.entries(variables)) {
    if (!appliedKeys.has(key)) hostValues.set(key, process.env[key]);
    process.env[key] = value;
  }
  appliedKeys = new Set(Object.keys(variables));
}

/**
 * The local Lambda service: invokes a template's functions by name or ARN. A function's environment
 * is applied to `process.env` before its module loads and before each call, because handlers read
 * their configuration at module load, as they do in Lambda. Each call sees exactly its own
 * function's variables (and the base environment): whatever another function set is removed first,
 * and first loads run one at a time so a module reads its own configuration.
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
    const environment = { ...this.baseEnvironment, ...fn.environment };
    let handler = this.loaded.get(fn.name);
    if (!handler) {
      handler = firstLoads.then(() => {
        applyFunctionEnvironment(environment);
        return this.loader(fn);
      });
      firstLoads = handler.catch(() => undefined);
      this.loaded.set(fn.name, handler);
    }
    const loaded = await handler;
    applyFunctionEnvironment(environment);
    return loaded(event, createLambdaContext(fn));
  }
}
