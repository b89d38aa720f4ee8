import { join } from 'node:path';
import { functionsFromTemplate, LocalLambda, sourceHandlerLoader } from '@blueprints/local-runtime';
import { type CfnTemplate, TemplateResolver } from '@blueprints/packaging';

export const FIXTURE_SERVICE_DIR = join(import.meta.dirname, '..', 'fixtures');
export const STACK = { stackName: 'orders-dev', region: 'us-east-1', accountId: '000000000000' };

/** A packaged template declaring one function per export of the fixture's `src/handlers/orders.ts`. */
export function ordersTemplate(timeouts: Record<string, number> = {}): CfnTemplate {
  const exports = ['echo', 'reject', 'record', 'chatty', 'large', 'hang'];
  return {
    Resources: Object.fromEntries(
      exports.map((name) => [
        `${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`,
        {
          Type: 'AWS::Lambda::Function',
          Properties: {
            FunctionName: `orders-dev-${name}`,
            Handler: `src/handlers/orders.${name}`,
            Timeout: timeouts[name] ?? 6,
            MemorySize: 256,
          },
        },
      ]),
    ),
  };
}

/** The fixture service in the real local runtime, loading its handlers from source, timeouts enforced. */
export function ordersLambda(): LocalLambda {
  const functions = functionsFromTemplate(new TemplateResolver(ordersTemplate({ hang: 1 }), STACK));
  // The handlers' output stays out of the test report; the invocations' logs still keep it.
  const quiet = { enforceTimeout: true, logWriter: () => undefined };
  return new LocalLambda(functions, sourceHandlerLoader(FIXTURE_SERVICE_DIR), {}, quiet);
}
