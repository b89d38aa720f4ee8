/** The dimension value for every brand outside the allow-list. */
export const OTHER_BRANDS = 'other';

/**
 * The `brand` dimension of a per-brand metric: the brand itself when it is on the configured allow-list,
 * else `other`. CloudWatch bills every distinct dimension value as a new custom metric, so a value taken
 * straight from tenant data would let the number of tenants set the bill.
 *
 * @example
 * brandDimension('A', ['A', 'B']); // 'A'
 * brandDimension('Z', ['A', 'B']); // 'other'
 */
export function brandDimension(brand: string, allowList: readonly string[]): string {
  return allowList.includes(brand) ? brand : OTHER_BRANDS;
}
