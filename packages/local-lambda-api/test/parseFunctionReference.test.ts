import { parseFunctionReference } from '../src/index.js';

describe('Function: parseFunctionReference()', () => {
  it.each([
    ['orders-dev-create', undefined, { name: 'orders-dev-create' }],
    ['orders-dev-create:$LATEST', undefined, { name: 'orders-dev-create', qualifier: '$LATEST' }],
    ['arn:aws:lambda:eu-west-1:123456789012:function:orders-dev-create', undefined, { name: 'orders-dev-create' }],
    [
      'arn:aws:lambda:eu-west-1:123456789012:function:orders-dev-create:live',
      undefined,
      { name: 'orders-dev-create', qualifier: 'live' },
    ],
    ['123456789012:function:orders-dev-create', '7', { name: 'orders-dev-create', qualifier: '7' }],
  ])('reads %s (Qualifier %s)', (functionName, qualifier, expected) => {
    // Act
    const reference = parseFunctionReference(functionName, qualifier);

    // Assess
    expect(reference).toEqual(expected);
  });

  it('refuses text that is no function name', () => {
    // Act
    const references = ['', 'orders dev', 'arn:aws:s3:::bucket', 'a:b:c'].map((text) => parseFunctionReference(text));

    // Assess
    expect(references).toEqual([undefined, undefined, undefined, undefined]);
  });
});
