import type { Handler, HandlerLoader, LocalFunction } from '../../src/index.js';

/** A local function as `functionsFromTemplate` would resolve it. */
export function localFunction(overrides: Partial<LocalFunction> = {}): LocalFunction {
  const name = overrides.name ?? 'app-dev-work';
  return {
    logicalId: 'WorkLambdaFunction',
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    handler: 'src/handlers/work.handler',
    environment: {},
    timeoutSeconds: 6,
    memorySize: 1024,
    ...overrides,
  };
}

/** A loader that serves `handlers[fn.name]`, as if each were its module's export. */
export function loaderOf(handlers: Record<string, Handler>): HandlerLoader {
  return async (fn) => {
    const handler = handlers[fn.name];
    if (!handler) throw new Error(`no test handler for ${fn.name}`);
    return handler;
  };
}

/** A line as Powertools' Logger writes it (its standard keys first, then the extra ones). */
export function powertoolsLine(level: string, message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    level,
    message,
    timestamp: '2026-12-02T03:00:00.000Z',
    service: 'orders',
    sampling_rate: 0,
    xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
    ...extra,
  });
}
