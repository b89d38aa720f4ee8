import { brandDimension, OTHER_BRANDS } from '../../src/fairQueue/brandDimension.js';

describe('Function: brandDimension()', () => {
  it('returns a listed brand as is and every other brand as "other"', () => {
    // Act
    const values = ['A', 'B', 'Z', `brand-${Date.now()}`].map((brand) => brandDimension(brand, ['A', 'B']));

    // Assess
    expect(values).toEqual(['A', 'B', OTHER_BRANDS, OTHER_BRANDS]);
  });
});
