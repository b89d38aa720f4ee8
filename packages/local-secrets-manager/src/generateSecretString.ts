import { randomInt } from 'node:crypto';

/** `GenerateSecretString` of an `AWS::SecretsManager::Secret` (the options the local stand-in honours). */
export interface GenerateSecretStringOptions {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeLowercase?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
  /** A JSON object the generated password is added to under `GenerateStringKey`. */
  SecretStringTemplate?: string;
  GenerateStringKey?: string;
}

// Secrets Manager's punctuation set (GetRandomPassword).
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * A random secret string as CloudFormation generates it for `GenerateSecretString`: 32 characters
 * by default, from the character classes not excluded, at least one of each unless
 * `RequireEachIncludedType` is false; wrapped in `SecretStringTemplate` when one is given.
 *
 * @example
 * generateSecretString({ PasswordLength: 64, ExcludePunctuation: true });
 */
export function generateSecretString(options: GenerateSecretStringOptions = {}): string {
  const length = options.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw new RangeError(`PasswordLength must be an integer from 1 to 4096 (got ${length})`);
  }
  const excluded = new Set(options.ExcludeCharacters ?? '');
  const classes = [
    options.ExcludeLowercase ? '' : 'abcdefghijklmnopqrstuvwxyz',
    options.ExcludeUppercase ? '' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    options.ExcludeNumbers ? '' : '0123456789',
    options.ExcludePunctuation ? '' : PUNCTUATION,
    options.IncludeSpace ? ' ' : '',
  ]
    .map((chars) => [...chars].filter((c) => !excluded.has(c)).join(''))
    .filter((chars) => chars.length > 0);
  if (classes.length === 0) throw new RangeError('GenerateSecretString excludes every character');
  const all = classes.join('');
  const pick = (chars: string) => chars[randomInt(chars.length)] as string;
  const out = Array.from({ length }, () => pick(all));
  if (options.RequireEachIncludedType !== false && length >= classes.length) {
    // One of each class at distinct random positions.
    const positions = new Set<number>();
    while (positions.size < classes.length) positions.add(randomInt(length));
    [...positions].forEach((position, i) => {
      out[position] = pick(classes[i] as string);
    });
  }
  const password = out.join('');
  if (options.SecretStringTemplate === undefined) return password;
  if (!options.GenerateStringKey) throw new RangeError('SecretStringTemplate needs GenerateStringKey');
  const template = JSON.parse(options.SecretStringTemplate) as Record<string, unknown>;
  return JSON.stringify({ ...template, [options.GenerateStringKey]: password });
}
