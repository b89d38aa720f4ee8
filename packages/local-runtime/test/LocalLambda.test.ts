import { TemplateResolver } from '@blueprints/packaging';
import { functionsFromTemplate, type Handler, type HandlerLoader, LocalLambda } from '../src/LocalLambda.js';

const STACK = { stackName: 'svc-dev', region: 'us-east-1', accountId: '000000000000' };

/** A template whose functions each declare the given variables. */
function functionsWith(variables: Record<string, Record<string, string>>) {
  const resources = Object.fromEntries(
    Object.entries(variables).map(([id, vars]) => [
      id,
      {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: `svc-dev-${id.toLowerCase()}`,
          Handler: `src/handlers/${id.toLowerCase()}.handler`,
          Environment: { Variables: vars },
        },
      },
    ]),
  );
  return functionsFromTemplate(new TemplateResolver({ Resources: resources }, STACK));
}

/** Every handler answers with the variables it sees when called, and those it saw when its module loaded. */
const reportingLoader: HandlerLoader = async (fn) => {
  // An ES module import resolves over several turns; configuration is read when its body runs.
  await new Promise((resolve) => setImmediate(resolve));
  const atLoad = { NAME: process.env.NAME, ONLY_A: process.env.ONLY_A };
  const handler: Handler = async () => ({
    function: fn.name,
    atLoad,
    atCall: { NAME: process.env.NAME, ONLY_A: process.env.ONLY_A, SHARED: process.env.SHARED },
  });
  return handler;
};

afterEach(() => {
  delete process.env.SHARED;
});

describe('Class: LocalLambda', () => {
  it('does not let function B see a variable only function A declares', async () => {
    // Prepare
    const lambda = new LocalLambda(
      functionsWith({ A: { NAME: 'a', ONLY_A: 'secret-of-a' }, B: { NAME: 'b' } }),
      reportingLoader,
    );

    // Act
    await lambda.invoke('svc-dev-a', {});
    const b = await lambda.invoke('svc-dev-b', {});

    // Assess
    expect(b).toEqual({
      function: 'svc-dev-b',
      atLoad: { NAME: 'b', ONLY_A: undefined },
      atCall: { NAME: 'b', ONLY_A: undefined, SHARED: undefined },
    });
    expect(process.env.ONLY_A).toBeUndefined();
  });

  it('keeps functions of two services apart (two LocalLambda instances in one process)', async () => {
    // Prepare
    const first = new LocalLambda(functionsWith({ A: { NAME: 'a', ONLY_A: 'secret-of-a' } }), reportingLoader);
    const second = new LocalLambda(functionsWith({ B: { NAME: 'b' } }), reportingLoader);

    // Act
    await first.invoke('svc-dev-a', {});
    const b = (await second.invoke('svc-dev-b', {})) as { atCall: Record<string, unknown> };

    // Assess
    expect(b.atCall.ONLY_A).toBeUndefined();
  });

  it('gives each module its own configuration when first loads run concurrently', async () => {
    // Prepare
    const lambda = new LocalLambda(
      functionsWith({ A: { NAME: 'a', ONLY_A: 'secret-of-a' }, B: { NAME: 'b' } }),
      reportingLoader,
    );

    // Act
    const [a, b] = await Promise.all([lambda.invoke('svc-dev-a', {}), lambda.invoke('svc-dev-b', {})]);

    // Assess
    expect(a).toEqual(expect.objectContaining({ atLoad: { NAME: 'a', ONLY_A: 'secret-of-a' } }));
    expect(b).toEqual(expect.objectContaining({ atLoad: { NAME: 'b', ONLY_A: undefined } }));
  });

  it('keeps overlapping invocations apart when they read process.env after an await', async () => {
    // Prepare: each handler reads its configuration only after B has been invoked in between
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const lambda = new LocalLambda(
      functionsWith({ A: { NAME: 'a', ONLY_A: 'secret-of-a' }, B: { NAME: 'b' } }),
      async () => async () => {
        await gate;
        return { NAME: process.env.NAME, ONLY_A: process.env.ONLY_A };
      },
    );

    // Act
    const a = lambda.invoke('svc-dev-a', {});
    const b = lambda.invoke('svc-dev-b', {});
    const outside = { NAME: process.env.NAME, ONLY_A: process.env.ONLY_A };
    release();

    // Assess
    expect(await a).toEqual({ NAME: 'a', ONLY_A: 'secret-of-a' });
    expect(await b).toEqual({ NAME: 'b', ONLY_A: undefined });
    expect(outside).toEqual({ NAME: undefined, ONLY_A: undefined });
  });

  it('keeps what a function sets in process.env to that function, across its calls', async () => {
    // Prepare
    const lambda = new LocalLambda(functionsWith({ A: { NAME: 'a' }, B: { NAME: 'b' } }), async (fn) => async () => {
      const seen = process.env.SHARED;
      process.env.SHARED = `set-by-${fn.name}`;
      return seen;
    });

    // Act
    const firstA = await lambda.invoke('svc-dev-a', {});
    const firstB = await lambda.invoke('svc-dev-b', {});
    const secondA = await lambda.invoke('svc-dev-a', {});

    // Assess
    expect([firstA, firstB, secondA]).toEqual([undefined, undefined, 'set-by-svc-dev-a']);
    expect(process.env.SHARED).toBeUndefined();
  });

  it('leaves the host value of a variable a function overrides untouched', async () => {
    // Prepare
    process.env.SHARED = 'from-the-host';
    const lambda = new LocalLambda(
      functionsWith({ A: { NAME: 'a', SHARED: 'from-a' }, B: { NAME: 'b' } }),
      reportingLoader,
    );

    // Act
    const a = (await lambda.invoke('svc-dev-a', {})) as { atCall: Record<string, unknown> };
    const b = (await lambda.invoke('svc-dev-b', {})) as { atCall: Record<string, unknown> };

    // Assess
    expect(a.atCall.SHARED).toBe('from-a');
    expect(b.atCall.SHARED).toBe('from-the-host');
  });

  it('adds the base environment (the local endpoints) to every function', async () => {
    // Prepare
    const lambda = new LocalLambda(functionsWith({ B: { NAME: 'b' } }), reportingLoader, {
      SHARED: 'http://127.0.0.1:4010',
    });

    // Act
    const b = (await lambda.invoke('svc-dev-b', {})) as { atCall: Record<string, unknown> };

    // Assess
    expect(b.atCall).toEqual({ NAME: 'b', ONLY_A: undefined, SHARED: 'http://127.0.0.1:4010' });
  });

  describe('Method: reload()', () => {
    /** Each load is a new module instance: its handler answers with its load number and whether it was held. */
    function versionedLoader(gate?: Promise<void>) {
      let loads = 0;
      const loader: HandlerLoader = async () => {
        const version = ++loads;
        const handler: Handler = async (event: { wait?: boolean; set?: string }) => {
          if (event.wait) await gate;
          if (event.set) process.env.SET_AT_RUNTIME = event.set;
          return { version, SET_AT_RUNTIME: process.env.SET_AT_RUNTIME };
        };
        return handler;
      };
      return loader;
    }

    it('loads the module again on the next invocation of a reloaded function, with its variables afresh', async () => {
      // Prepare
      const lambda = new LocalLambda(functionsWith({ A: {}, B: {} }), versionedLoader());
      await lambda.invoke('svc-dev-a', { set: 'by the first environment' });
      await lambda.invoke('svc-dev-b', { set: 'by b' });
      await lambda.invoke('svc-dev-a', {});

      // Act
      lambda.reload(['svc-dev-a']);
      const a = await lambda.invoke('svc-dev-a', {});
      const b = await lambda.invoke('svc-dev-b', {});

      // Assess: A is a third module instance (a cold start) in a new environment, B still its first
      expect({ a, b }).toEqual({ a: { version: 3 }, b: { version: 2, SET_AT_RUNTIME: 'by b' } });
    });

    it('lets an invocation in flight finish on the module it started with', async () => {
      // Prepare
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const lambda = new LocalLambda(functionsWith({ A: {} }), versionedLoader(gate));
      const inFlight = lambda.invoke('svc-dev-a', { wait: true });
      await new Promise((resolve) => setImmediate(resolve));

      // Act
      lambda.reload();
      const next = await lambda.invoke('svc-dev-a', {});
      release();

      // Assess
      expect({ inFlight: await inFlight, next }).toEqual({ inFlight: { version: 1 }, next: { version: 2 } });
    });

    it('redefines the functions (a changed template) and runs them with their new variables', async () => {
      // Prepare
      const lambda = new LocalLambda(functionsWith({ A: { NAME: 'old' } }), reportingLoader);
      await lambda.invoke('svc-dev-a', {});

      // Act
      lambda.reload(undefined, functionsWith({ A: { NAME: 'new' }, C: { NAME: 'c' } }));
      const a = (await lambda.invoke('svc-dev-a', {})) as { atLoad: Record<string, unknown> };

      // Assess
      expect(a.atLoad.NAME).toBe('new');
      expect(lambda.functions.map((f) => f.name)).toEqual(['svc-dev-a', 'svc-dev-c']);
    });
  });
});
