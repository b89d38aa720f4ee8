import { UnsafeIotIdentityError } from './errors.js';

/** Characters that are never allowed in an identity embedded in a policy resource, topic or client id. */
const WIDENING = /[*?$/+#{}]/u;
/**
 * True for C0/C1 control characters (incl. NUL, which MQTT forbids in strings), U+FFFE/U+FFFF and lone surrogates
 * (not encodable as UTF-8): no topic or client id can hold them.
 */
function hasUnrepresentable(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || c === 0xfffe || c === 0xffff) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

export interface AssertSafeIotIdentityOptions {
  /** Longest identity, in UTF-8 bytes (default 128, the IoT client id limit). */
  maxBytes?: number;
  /**
   * Further characters to refuse, e.g. the separator your client ids use after the identity: with client ids
   * `<sub>_<random>` and policy `client/<sub>_*`, refusing `_` stops subject `a` from claiming subject `a_b`'s ids.
   */
  alsoForbid?: string;
}

/**
 * Returns `untrusted` unchanged when it is safe as ONE literal level of a topic, topic filter, client id or policy
 * resource; otherwise throws `UnsafeIotIdentityError`. Refused: empty, longer than `maxBytes`, control characters
 * or NUL, lone surrogates, and every character that changes meaning somewhere in IoT: `*` `?` (policy wildcards),
 * `$` `{` `}` (policy variables `${...}` and escapes `$(...)`), `/` (topic levels), `+` `#` (MQTT wildcards: a
 * literal `+` in an allowed topic filter lets a client subscribe with the wildcard `+`). None of these can be
 * escaped so that the result is safe everywhere an identity goes, so they are refused rather than altered.
 *
 * @example
 * const sub = assertSafeIotIdentity(jwt.sub, { alsoForbid: '_' });
 * builder.allowSubscribe([`updates/user/${sub}`]);
 */
export function assertSafeIotIdentity(untrusted: unknown, options: AssertSafeIotIdentityOptions = {}): string {
  if (typeof untrusted !== 'string') throw new UnsafeIotIdentityError('identity must be a string');
  if (untrusted === '') throw new UnsafeIotIdentityError('identity must not be empty');
  const maxBytes = options.maxBytes ?? 128;
  const bytes = Buffer.byteLength(untrusted, 'utf8');
  if (bytes > maxBytes) throw new UnsafeIotIdentityError(`identity is ${bytes} bytes; at most ${maxBytes} allowed`);
  if (hasUnrepresentable(untrusted)) {
    throw new UnsafeIotIdentityError('identity contains control characters or unpaired surrogates');
  }
  const widening = WIDENING.exec(untrusted);
  if (widening) throw new UnsafeIotIdentityError(`identity contains "${widening[0]}", which could widen a policy`);
  for (const c of options.alsoForbid ?? '') {
    if (untrusted.includes(c)) throw new UnsafeIotIdentityError(`identity contains the reserved separator "${c}"`);
  }
  return untrusted;
}

/**
 * Escapes a literal value for an IoT policy resource: `*` → `$(*)`, `?` → `$(?)`, `$` → `$($)` (which also
 * neutralises `${...}` policy variables). Throws `UnsafeIotIdentityError` for control characters, NUL and lone
 * surrogates, which no topic or client id may contain. It does NOT make `/`, `+` or `#` safe: those are literal in
 * a policy but change topic levels or become MQTT wildcards for the client, so identities that go into topics or
 * topic filters must pass `assertSafeIotIdentity` (use `iotPolicyResource`, which does both).
 *
 * @example
 * escapeIotPolicyResource('a*b?$c'); // 'a$(*)b$(?)$($)c'
 */
export function escapeIotPolicyResource(untrusted: string): string {
  if (typeof untrusted !== 'string') throw new UnsafeIotIdentityError('value must be a string');
  if (hasUnrepresentable(untrusted)) {
    throw new UnsafeIotIdentityError('value contains control characters or unpaired surrogates');
  }
  return untrusted.replace(/[*?$]/g, (c) => `$(${c})`);
}

/**
 * Tagged template for policy resources with untrusted parts: every interpolated value must pass
 * `assertSafeIotIdentity` (else `UnsafeIotIdentityError`) and is escaped; the literal parts are trusted patterns.
 *
 * @example
 * builder.allowConnect([iotPolicyResource`${sub}_*`]).allowSubscribe([iotPolicyResource`updates/user/${sub}`]);
 */
export const iotPolicyResource = iotPolicyResourceTag();

/**
 * `iotPolicyResource` with options for `assertSafeIotIdentity`.
 *
 * @example
 * const resource = iotPolicyResourceTag({ alsoForbid: '_' });
 * builder.allowConnect([resource`${sub}_*`]);
 */
export function iotPolicyResourceTag(
  options: AssertSafeIotIdentityOptions = {},
): (parts: TemplateStringsArray, ...values: unknown[]) => string {
  return (parts, ...values) => {
    let out = parts[0] ?? '';
    values.forEach((value, i) => {
      out += escapeIotPolicyResource(assertSafeIotIdentity(value, options)) + (parts[i + 1] ?? '');
    });
    return out;
  };
}
