import { Logger } from '@aws-lambda-powertools/logger';
import { FunctionTimeoutError, type LambdaLogEntry, LocalLambda } from '../src/index.js';
import { loaderOf, localFunction } from './helpers/factories.js';

/** A LocalLambda over the given functions whose log entries are collected. */
function observed(
  functions: ReturnType<typeof localFunction>[],
  handlers: Parameters<typeof loaderOf>[0],
  enforceTimeout = false,
) {
  const entries: LambdaLogEntry[] = [];
  const lambda = new LocalLambda(
    functions,
    loaderOf(handlers),
    {},
    { logWriter: (e) => entries.push(e), enforceTimeout },
  );
  return { lambda, entries };
}

const linesOf = (entries: LambdaLogEntry[], requestId: string) =>
  entries.flatMap((e) => (e.kind === 'line' && e.requestId === requestId ? [e.text] : []));

describe('Method: LocalLambda.invokeWithLog()', () => {
  it("keeps START, the handler's Powertools and stderr lines, END and REPORT in the invocation's log", async () => {
    // Prepare
    const logger = new Logger({ serviceName: 'orders', logLevel: 'INFO' });
    const { lambda, entries } = observed([localFunction()], {
      'app-dev-work': async (event: { id: string }) => {
        logger.info('stored the order', { orderId: event.id });
        // jest replaces `console`; outside jest `console.error` ends in this write.
        process.stderr.write('plain line\n');
        return { stored: event.id };
      },
    });

    // Act
    const invocation = await lambda.invokeWithLog('app-dev-work', { id: 'o-1' });

    // Assess
    expect(invocation).toMatchObject({ status: 'ok', result: { stored: 'o-1' }, functionName: 'app-dev-work' });
    const log = invocation.log.trimEnd().split('\n');
    expect(log[0]).toBe(`START RequestId: ${invocation.requestId} Version: $LATEST`);
    expect(JSON.parse(log[1] as string)).toMatchObject({ level: 'INFO', message: 'stored the order', orderId: 'o-1' });
    expect(log.slice(2, 4)).toEqual(['plain line', `END RequestId: ${invocation.requestId}`]);
    expect(log[4]).toMatch(new RegExp(`^REPORT RequestId: ${invocation.requestId}\\tDuration: [\\d.]+ ms\\t`));
    expect(entries.map((e) => e.kind)).toEqual(['start', 'line', 'line', 'end', 'report']);
  });

  it("keeps the lines of overlapping invocations in each one's own log", async () => {
    // Prepare
    const { lambda, entries } = observed([localFunction()], {
      'app-dev-work': async (event: { n: number }) => {
        for (let i = 0; i < 3; i++) {
          process.stdout.write(`call ${event.n} line ${i}\n`);
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
    });

    // Act
    const [first, second] = await Promise.all([
      lambda.invokeWithLog('app-dev-work', { n: 1 }),
      lambda.invokeWithLog('app-dev-work', { n: 2 }),
    ]);

    // Assess
    for (const [invocation, n] of [
      [first, 1],
      [second, 2],
    ] as const) {
      const expected = [0, 1, 2].map((i) => `call ${n} line ${i}`);
      expect(linesOf(entries, invocation.requestId)).toEqual(expected);
      expect(invocation.log).toContain(expected.join('\n'));
    }
  });

  it('reports a thrown error as the Node.js runtime logs it, with its stack', async () => {
    // Prepare
    class OrderRejectedError extends Error {
      override name = 'OrderRejectedError';
    }
    const { lambda, entries } = observed([localFunction()], {
      'app-dev-work': async () => {
        throw new OrderRejectedError('order o-2 has no lines');
      },
    });

    // Act
    const invocation = await lambda.invokeWithLog('app-dev-work', {});

    // Assess
    expect(invocation.status).toBe('error');
    expect(invocation.error).toBeInstanceOf(OrderRejectedError);
    const errorLine = invocation.log.split('\n').find((line) => line.includes('\tERROR\tInvoke Error \t')) as string;
    const logged = JSON.parse(errorLine.split('\t').at(-1) as string);
    expect(logged).toMatchObject({ errorType: 'OrderRejectedError', errorMessage: 'order o-2 has no lines' });
    expect(logged.stack.join('\n')).toContain('invokeWithLog.test.ts');
    expect(entries.find((e) => e.kind === 'report')).toMatchObject({ report: { status: 'error' } });
    await expect(lambda.invoke('app-dev-work', {})).rejects.toBeInstanceOf(OrderRejectedError);
  });

  it('fails an invocation that runs past its timeout with enforceTimeout', async () => {
    // Prepare
    let release: () => void = () => undefined;
    const { lambda, entries } = observed(
      [localFunction({ timeoutSeconds: 0.3 })],
      {
        'app-dev-work': () =>
          new Promise<void>((resolve) => {
            release = resolve;
          }),
      },
      true,
    );

    // Act
    const invocation = await lambda.invokeWithLog('app-dev-work', {});
    release();

    // Assess
    expect(invocation.status).toBe('timeout');
    expect(invocation.error).toBeInstanceOf(FunctionTimeoutError);
    expect(invocation.log).toContain(`${invocation.requestId} Task timed out after 0.30 seconds`);
    expect(invocation.log).toMatch(/\tStatus: timeout\n$/);
    expect(entries.find((e) => e.kind === 'report')).toMatchObject({ report: { status: 'timeout' } });
  });

  it('reports Init Duration on the invocation that loaded the module only', async () => {
    // Prepare
    const { lambda } = observed([localFunction()], { 'app-dev-work': async () => 'done' });

    // Act
    const cold = await lambda.invokeWithLog('app-dev-work', {});
    const warm = await lambda.invokeWithLog('app-dev-work', {});

    // Assess
    expect(cold.initDurationMs).toEqual(expect.any(Number));
    expect(cold.log).toMatch(/\tInit Duration: [\d.]+ ms/);
    expect(warm.initDurationMs).toBeUndefined();
    expect(warm.log).not.toContain('Init Duration');
  });
});
