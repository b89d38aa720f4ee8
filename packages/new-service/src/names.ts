/** Thrown for a name that cannot be a service, stack and package name. */
export class InvalidServiceNameError extends Error {
  constructor(name: string, why: string) {
    super(`"${name}" is not a valid service name: ${why}.`);
    this.name = 'InvalidServiceNameError';
  }
}

/**
 * The longest service name: `<service>-<stage>` must leave room for a stage and for the suffixes
 * services add to stack-scoped names (S3 bucket names stop at 63 characters, IAM role names at 64).
 */
export const MAX_SERVICE_NAME_LENGTH = 30;

/**
 * Checks that a name works everywhere a service name ends up: the CloudFormation stack name
 * (`<name>-<stage>`), npm package name, S3 bucket names, IoT rule and authorizer names (derived in
 * snake_case / camelCase). Lowercase letters, digits and single hyphens; starts with a letter.
 *
 * @example
 * assertValidServiceName('orders-realtime'); // ok
 * assertValidServiceName('Orders_Realtime'); // throws InvalidServiceNameError
 */
export function assertValidServiceName(name: string): void {
  if (name.length < 2) throw new InvalidServiceNameError(name, 'use at least 2 characters');
  if (name.length > MAX_SERVICE_NAME_LENGTH) {
    throw new InvalidServiceNameError(
      name,
      `use at most ${MAX_SERVICE_NAME_LENGTH} characters (stack-scoped names must stay within AWS limits)`,
    );
  }
  if (!/^[a-z]/.test(name)) throw new InvalidServiceNameError(name, 'start with a lowercase letter');
  if (!/^[a-z0-9-]+$/.test(name))
    throw new InvalidServiceNameError(name, 'use only lowercase letters, digits and hyphens');
  if (name.endsWith('-') || name.includes('--')) {
    throw new InvalidServiceNameError(name, 'no trailing or doubled hyphens');
  }
}

/** The spellings of a kebab-case name that services use in resource names. */
export function nameVariants(kebab: string): Array<[style: string, value: string]> {
  const words = kebab.split('-');
  const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
  return [
    ['kebab', kebab],
    ['snake', words.join('_')],
    ['upper-snake', words.join('_').toUpperCase()],
    ['camel', words[0] + words.slice(1).map(cap).join('')],
    ['pascal', words.map(cap).join('')],
    ['flat', words.join('')],
  ];
}

/**
 * Replaces every spelling of `from` (kebab, snake, UPPER_SNAKE, camel, Pascal, flat) with the same
 * spelling of `to`, only where it stands as a whole name (not inside a longer identifier).
 *
 * @example
 * renameService('liveFeedAuthorizer live_feed_dev', 'live-feed', 'shop-live');
 * // 'shopLiveAuthorizer shop_live_dev'
 */
export function renameService(text: string, from: string, to: string): string {
  const target = new Map(nameVariants(to));
  let out = text;
  // Longest first, so `live-feed` is not half-replaced as `live`.
  const variants = nameVariants(from)
    .filter(([, value], i, all) => all.findIndex(([, v]) => v === value) === i)
    .sort((a, b) => b[1].length - a[1].length);
  for (const [style, value] of variants) {
    if (style === 'flat' && !from.includes('-')) continue;
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // A lowercase-start variant must not continue a longer lowercase word; camel/Pascal may be followed by uppercase (a new word).
    const after = style === 'camel' || style === 'pascal' || style === 'flat' ? '(?![a-z0-9])' : '(?![a-zA-Z0-9])';
    // PascalCase may also continue a camelCase identifier (`getLiveFeed`).
    const before = style === 'pascal' ? '(?<![A-Z0-9])' : '(?<![a-zA-Z0-9])';
    out = out.replace(new RegExp(`${before}${escaped}${after}`, 'g'), target.get(style)!);
  }
  return out;
}
