import { classifyCallError } from '../../src/events/callFailure.js';

const error = (fields: Record<string, unknown>) =>
  Object.assign(new Error(String(fields.message ?? 'failed')), fields) as Error;

describe('Function: classifyCallError()', () => {
  it.each([
    [
      'a throttled call the service answered',
      error({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
      { code: 'ThrottlingException', maybeSent: false, retryable: true },
    ],
    [
      'a refused call the service answered',
      error({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }),
      { code: 'AccessDeniedException', maybeSent: false, retryable: false },
    ],
    [
      'a 503 without a modelled error',
      error({ name: 'Error', $metadata: { httpStatusCode: 503 } }),
      { code: 'HTTP503', maybeSent: false, retryable: true },
    ],
    [
      'a refused connection',
      error({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' }),
      { code: 'ECONNREFUSED', maybeSent: false, retryable: true },
    ],
    [
      'a connection that was never established in time',
      error({
        name: 'TimeoutError',
        message: 'the request socket did not establish a connection with the server within the configured timeout',
      }),
      { code: 'ConnectionTimeout', maybeSent: false, retryable: true },
    ],
    [
      'a request that timed out after it was sent',
      error({ name: 'TimeoutError', code: 'ETIMEDOUT', message: 'a request has exceeded the configured 1500 ms' }),
      { code: 'RequestTimeout', maybeSent: true, retryable: true },
    ],
    [
      'a call aborted at the deadline',
      error({ name: 'AbortError' }),
      { code: 'DeadlineExceeded', maybeSent: true, retryable: false },
    ],
    [
      'a reset connection',
      error({ code: 'ECONNRESET', message: 'read ECONNRESET' }),
      { code: 'ECONNRESET', maybeSent: true, retryable: true },
    ],
    [
      'a socket hang up',
      error({ message: 'socket hang up' }),
      { code: 'ConnectionClosed', maybeSent: true, retryable: true },
    ],
    [
      'a 200 whose body could not be parsed',
      error({ name: 'SyntaxError', $metadata: { httpStatusCode: 200 } }),
      { code: 'SyntaxError', maybeSent: true, retryable: false },
    ],
    ['a thrown string', 'boom', { code: 'Error', maybeSent: true, retryable: false }],
  ])('classifies %s', (_what, thrown, expected) => {
    // Act
    const failure = classifyCallError(thrown);

    // Assess
    expect(failure).toMatchObject(expected);
  });
});
