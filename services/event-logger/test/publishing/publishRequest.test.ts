import { HttpError } from '../../src/http/responses.js';
import { MAX_EVENTS_PER_REQUEST, parsePublishRequest } from '../../src/publishing/publishRequest.js';

const TENANT = 'A';

function problemsOf(body: unknown): string[] {
  try {
    parsePublishRequest(body, TENANT);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(400);
    return [(error as HttpError).message, ...(error as HttpError).details];
  }
  throw new Error('expected a 400');
}

describe('Function: parsePublishRequest()', () => {
  it('returns one event when the body is a single event', () => {
    // Act
    const events = parsePublishRequest({ detailType: 'cart.viewed', context: { cartId: 'c-1' } }, TENANT);

    // Assess
    expect(events).toEqual([{ detailType: 'cart.viewed', context: { cartId: 'c-1', brand: 'A' }, persist: false }]);
  });

  it('returns every event in order when the body holds events', () => {
    // Act
    const events = parsePublishRequest(
      {
        events: [
          { detailType: 'order.placed', context: { brand: 'A' }, persist: true, idempotencyKey: 'order-1' },
          { detailType: 'cart.viewed', context: {} },
        ],
      },
      TENANT,
    );

    // Assess
    expect(events).toEqual([
      { detailType: 'order.placed', context: { brand: 'A' }, persist: true, idempotencyKey: 'order-1' },
      { detailType: 'cart.viewed', context: { brand: 'A' }, persist: false },
    ]);
  });

  it.each([
    ['a non-object body', [1, 2], /must be a JSON object/],
    ['events that is not an array', { events: {} }, /events must be an array/],
    ['no events', { events: [] }, /1 to 50 events/],
    [
      'too many events',
      { events: Array(MAX_EVENTS_PER_REQUEST + 1).fill({ detailType: 'x', context: {} }) },
      /1 to 50/,
    ],
    [
      'a field beside events',
      { events: [{ detailType: 'x', context: {} }], persist: true },
      /unknown field\(s\) persist/,
    ],
    ['a missing detailType', { events: [{ context: {} }] }, /events\[0\]\.detailType must be a non-empty string/],
    ['a blank detailType', { detailType: '  ', context: {} }, /^detailType must be/m],
    [
      'a context that is not an object',
      { events: [{ detailType: 'x', context: 'y' }] },
      /events\[0\]\.context must be an object/,
    ],
    [
      'a persist that is not boolean',
      { detailType: 'x', context: {}, persist: 'true' },
      /persist must be true or false/,
    ],
    ['an empty idempotencyKey', { detailType: 'x', context: {}, idempotencyKey: '' }, /idempotencyKey must be/],
    ['a misspelt field', { detailType: 'x', context: {}, persistent: true }, /persistent: unknown field/],
    [
      "another tenant's brand",
      { detailType: 'order.placed', context: { brand: 'B' } },
      /context\.brand must be your tenant \(A\) or left out/,
    ],
    [
      'a brand that is not a string',
      { events: [{ detailType: 'x', context: { brand: 7 } }] },
      /events\[0\]\.context\.brand must be/,
    ],
  ])('throws a 400 naming the problem for %s', (_case, body, message) => {
    // Act
    const problems = problemsOf(body);

    // Assess
    expect(problems.join('\n')).toMatch(message);
  });

  it('lists the problems of every invalid event at once', () => {
    // Act
    const problems = problemsOf({ events: [{ detailType: '', context: {} }, { detailType: 'ok', context: {} }, {}] });

    // Assess
    expect(problems).toEqual([
      'Invalid request',
      'events[0].detailType must be a non-empty string of at most 128 characters',
      'events[2].detailType must be a non-empty string of at most 128 characters',
      'events[2].context must be an object',
    ]);
  });
});
