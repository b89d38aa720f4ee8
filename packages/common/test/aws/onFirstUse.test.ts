import { onFirstUse } from '../../src/aws/onFirstUse.js';

describe('Function: onFirstUse', () => {
  it('builds nothing until the first call, then returns the same value on every call', () => {
    // Prepare
    const built: object[] = [];
    const client = onFirstUse(() => {
      const value = { id: built.length };
      built.push(value);
      return value;
    });
    const beforeFirstCall = built.length;

    // Act
    const first = client();
    const second = client();

    // Assess
    expect(beforeFirstCall).toBe(0);
    expect(built).toHaveLength(1);
    expect(second).toBe(first);
  });

  it('builds again on the next call when the builder threw', () => {
    // Prepare
    let attempts = 0;
    const client = onFirstUse(() => {
      attempts++;
      if (attempts === 1) throw new Error('endpoint not resolvable yet');
      return { attempts };
    });

    // Act
    const failure = (() => {
      try {
        client();
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    const value = client();

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(value).toEqual({ attempts: 2 });
    expect(client()).toBe(value);
  });

  it('caches a value that is undefined instead of building it again', () => {
    // Prepare
    let calls = 0;
    const nothing = onFirstUse(() => {
      calls++;
      return undefined;
    });

    // Act
    nothing();
    nothing();

    // Assess
    expect(calls).toBe(1);
  });
});
