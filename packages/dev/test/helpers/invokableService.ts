import { join } from 'node:path';
import { type LocalFunction, sourceHandlerLoader } from '@blueprints/local-runtime';
import { defineLocalWiring, type LocalActionContext } from '@blueprints/local-stack';
import { ActivityFeed } from '../../src/activityFeed.js';
import type { DevService } from '../../src/devEnvironment.js';
import { ObservedLambda } from '../../src/ObservedLambda.js';

/** A service folder of the tests' own: `echo` answers with its event, `reject` throws, `stall` never answers. */
export const INVOKABLE_DIR = join(import.meta.dirname, '..', 'fixtures', 'invokable');

/** A function of the fixture service as its packaged template would declare it. */
export function invokableFunction(key: string, overrides: Partial<LocalFunction> = {}): LocalFunction {
  const name = `invokable-dev-${key}`;
  return {
    logicalId: `${key.charAt(0).toUpperCase()}${key.slice(1)}LambdaFunction`,
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    handler: `src/handlers/${key}.handler`,
    environment: {},
    timeoutSeconds: 6,
    memorySize: 128,
    ...overrides,
  };
}

/** The fixture service's dashboard actions: one that answers (through `echo`), one that fails (through `reject`). */
const wiring = defineLocalWiring({
  actions: [
    {
      id: 'echo',
      label: 'Echo',
      description: 'Invokes echo with the input',
      input: { word: 'hello' },
      run: (context, input) => context.service.invoke('invokable-dev-echo', input),
    },
    {
      id: 'reject',
      label: 'Reject',
      description: 'Invokes reject, which throws',
      run: (context) => context.service.invoke('invokable-dev-reject', { reason: 'demo' }),
    },
  ],
});

/**
 * The fixture service running on a real local Lambda (handlers loaded from its TypeScript sources)
 * that reports to `feed`: what the dashboard needs of a `DevService` to list and invoke functions
 * and run its actions. Queue triggers, pipes and buses are not part of it.
 */
export function invokableService(feed = new ActivityFeed(), stallTimeoutSeconds = 1): DevService {
  const functions = [
    invokableFunction('echo'),
    invokableFunction('reject'),
    invokableFunction('stall', { timeoutSeconds: stallTimeoutSeconds }),
  ];
  const lambda = new ObservedLambda('invokable', functions, sourceHandlerLoader(INVOKABLE_DIR), {}, feed);
  const service = { name: 'invokable', dir: INVOKABLE_DIR, functions, invoke: lambda.invoke.bind(lambda) };
  const actionContext = { service } as unknown as LocalActionContext;
  return {
    name: 'invokable',
    dir: INVOKABLE_DIR,
    functions,
    lambda,
    buses: [],
    wiring,
    actionContext,
  } as unknown as DevService;
}
