import {
  applyPipeInputTemplate,
  isDynamicPath,
  readPipePath,
  resolvePipeParameter,
  UnresolvedPipePathError,
} from '../src/targetParameters.js';

describe('Function: isDynamicPath()', () => {
  it.each([
    ['$.recordType', true],
    ['$.detail.items[0].id', true],
    ['QLDB Stream Record', false],
    ['prefix $.recordType', false],
  ])('says %p is a dynamic path: %p', (value, expected) => {
    // Act & Assess
    expect(isDynamicPath(value)).toBe(expected);
  });
});

describe('Function: readPipePath()', () => {
  it('reads nested fields and array items', () => {
    // Act
    const value = readPipePath({ a: { list: [{ id: 'x' }, { id: 'y' }] } }, '$.a.list[1].id');

    // Assess
    expect(value).toBe('y');
  });

  it('reads into the base64 JSON of a Kinesis data field', () => {
    // Prepare
    const record = { data: Buffer.from('{"kind":"OrderPlaced"}').toString('base64') };

    // Act
    const value = readPipePath(record, '$.data.kind');

    // Assess
    expect(value).toBe('OrderPlaced');
  });
});

describe('Function: resolvePipeParameter()', () => {
  it('returns a literal as it is', () => {
    // Act & Assess
    expect(resolvePipeParameter('DetailType', 'QLDB Stream Record', {})).toBe('QLDB Stream Record');
  });

  it('throws UnresolvedPipePathError naming the parameter when the path finds nothing', () => {
    // Act
    const act = () => resolvePipeParameter('DetailType', '$.recordType', { other: 1 });

    // Assess
    expect(act).toThrow(UnresolvedPipePathError);
    expect(act).toThrow(/^DetailType is the dynamic path \$\.recordType/);
  });
});

describe('Function: applyPipeInputTemplate()', () => {
  it('fills quoted and unquoted placeholders and the whole event', () => {
    // Prepare
    const event = { kind: 'k"1', n: 2, nested: { a: true } };

    // Act
    const text = applyPipeInputTemplate(
      '{"k": "<$.kind>", "n": <$.n>, "o": <$.nested>, "all": <aws.pipes.event.json>}',
      event,
    );

    // Assess
    expect(JSON.parse(text)).toEqual({ k: 'k"1', n: 2, o: { a: true }, all: event });
  });
});
