import { isConnectionLost } from '../../src/database/index.js';

const withCode = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('Function: isConnectionLost()', () => {
  it.each([
    ['a server-side termination', withCode('terminating connection due to administrator command', '57P01')],
    ['a connection exception class 08', withCode('connection failure', '08006')],
    ['a reset socket', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a socket closed by the peer', withCode('Connection terminated unexpectedly')],
    ['a client that already errored', withCode('Client has encountered a connection error and is not queryable')],
    ['an error from another realm', { message: 'write EPIPE', code: 'EPIPE' }],
  ])('is true for %s', (_case, error) => {
    expect(isConnectionLost(error)).toBe(true);
  });

  it.each([
    ['a syntax error', withCode('syntax error at or near "SELEC"', '42601')],
    ['a constraint violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['a non-error value', 'Connection terminated'],
  ])('is false for %s', (_case, error) => {
    expect(isConnectionLost(error)).toBe(false);
  });
});
