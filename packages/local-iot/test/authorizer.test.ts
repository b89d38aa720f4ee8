import { InvalidIotAuthorizerResponseError, validateIotAuthorizerResponse } from '../src/index.js';
import { authorizerResponse, subjectPolicy } from './factories.js';

describe('Function: validateIotAuthorizerResponse()', () => {
  it('accepts policy documents as JSON strings and as objects, and returns them parsed', () => {
    // Prepare
    const asStrings = authorizerResponse('alice');
    const asObjects = authorizerResponse('alice', { policyDocuments: [subjectPolicy('alice')] });
    const mixed = authorizerResponse('alice', {
      policyDocuments: [subjectPolicy('alice'), JSON.stringify(subjectPolicy('bob'))],
    });

    // Act
    const grants = [asStrings, asObjects, mixed].map(validateIotAuthorizerResponse);

    // Assess
    expect(grants[0]?.policies).toEqual([subjectPolicy('alice')]);
    expect(grants[1]?.policies).toEqual([subjectPolicy('alice')]);
    expect(grants[2]?.policies).toEqual([subjectPolicy('alice'), subjectPolicy('bob')]);
  });

  it.each([
    ['a number', [42], /neither a JSON string nor an object/],
    ['null', [null], /neither a JSON string nor an object/],
    ['an array', [[subjectPolicy('alice')]], /neither a JSON string nor an object/],
    ['a boolean', [true], /neither a JSON string nor an object/],
    ['a string that is not JSON', ['{"Version":'], /not valid JSON/],
    ['a JSON string that is not an object', ['"text"'], /no Statement/],
    ['an object without Statement', [{ Version: '2012-10-17' }], /no Statement/],
    ['a string over 2048 characters', [JSON.stringify({ ...subjectPolicy('a'), pad: 'x'.repeat(2100) })], /max 2048/],
    ['an object over 2048 characters', [{ ...subjectPolicy('a'), pad: 'x'.repeat(2100) }], /max 2048/],
    ['eleven documents', Array.from({ length: 11 }, () => subjectPolicy('a')), /1\.\.10/],
    ['no documents', [], /1\.\.10/],
  ])('refuses policyDocuments holding %s', (_name, policyDocuments, message) => {
    // Prepare
    const response = authorizerResponse('alice', { policyDocuments });

    // Act
    const validate = () => validateIotAuthorizerResponse(response);

    // Assess
    expect(validate).toThrow(InvalidIotAuthorizerResponseError);
    expect(validate).toThrow(message);
  });
});
