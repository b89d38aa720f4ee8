/**
 * EventBridge event patterns: validation and matching with the semantics EventBridge documents
 * (content filtering): exact values, prefix, suffix, equals-ignore-case, anything-but and its
 * variants, wildcard, numeric, cidr, exists, `$or`, arrays in the event (any element matches) and
 * array-consistent matching of objects inside arrays.
 */

export class InvalidEventPatternError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`Event pattern is not valid at ${path || '(root)'}: ${message}`);
    this.name = 'InvalidEventPatternError';
  }
}

type Leaf = string | number | boolean | null;

/** One entry of a pattern's value list, compiled. */
type ValueMatcher =
  | { kind: 'exact'; value: Leaf }
  | { kind: 'prefix'; value: string; ignoreCase: boolean }
  | { kind: 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; regex: RegExp }
  | { kind: 'numeric'; test: (n: number) => boolean }
  | { kind: 'cidr'; test: (ip: string) => boolean }
  | { kind: 'exists'; value: boolean }
  | { kind: 'anything-but'; not: ValueMatcher[] };

interface ObjectNode {
  fields: Array<[key: string, node: FieldNode]>;
  /** Each `$or` group: at least one alternative must match. */
  ors: ObjectNode[][];
}

type FieldNode = { kind: 'object'; node: ObjectNode } | { kind: 'leaf'; matchers: ValueMatcher[] };

/** A pattern compiled once, to match many events. */
export type CompiledEventPattern = (event: unknown) => boolean;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Throws an `InvalidEventPatternError` naming the place and the reason when `pattern` is not an
 * event pattern EventBridge would accept. Accepts the pattern as an object or as JSON text.
 *
 * @example
 * validateEventPattern({ detail: { persist: true } }); // throws: a leaf must be an array
 */
export function validateEventPattern(pattern: unknown): void {
  compileEventPattern(pattern);
}

/**
 * Compiles an event pattern (object or JSON text) into a predicate.
 *
 * @example
 * const persisted = compileEventPattern({ detail: { persist: [true] } });
 * persisted({ detail: { persist: true } }); // true
 */
export function compileEventPattern(pattern: unknown): CompiledEventPattern {
  let parsed = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      throw new InvalidEventPatternError(`not valid JSON (${(error as Error).message})`, '');
    }
  }
  if (!isPlainObject(parsed)) throw new InvalidEventPatternError('the pattern must be a JSON object', '');
  const root = compileObject(parsed, '');
  return (event) => matchObject(root, event);
}

/**
 * True when `event` (an EventBridge event as JSON) matches `pattern`. Throws an
 * `InvalidEventPatternError` for a malformed pattern.
 *
 * @example
 * matchesEventPattern({ source: ['orders'], detail: { total: [{ numeric: ['>', 100] }] } },
 *   { source: 'orders', detail: { total: 250 } }); // true
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}

// ---------------------------------------------------------------------------------------------
// Compilation (and validation)

function compileObject(pattern: Record<string, unknown>, path: string): ObjectNode {
  const entries = Object.entries(pattern);
  if (entries.length === 0) throw new InvalidEventPatternError('an object in a pattern must not be empty', path);
  const node: ObjectNode = { fields: [], ors: [] };
  for (const [key, value] of entries) {
    const where = path ? `${path}.${key}` : key;
    if (key === '$or' && isOrPrimitive(value)) {
      node.ors.push(value.map((alternative, i) => compileObject(alternative, `${where}[${i}]`)));
    } else if (Array.isArray(value)) {
      node.fields.push([key, { kind: 'leaf', matchers: compileValueList(value, where) }]);
    } else if (isPlainObject(value)) {
      node.fields.push([key, { kind: 'object', node: compileObject(value, where) }]);
    } else {
      throw new InvalidEventPatternError(
        `a leaf must be an array of values or filters, got ${JSON.stringify(value)} (write [${JSON.stringify(value)}])`,
        where,
      );
    }
  }
  return node;
}

const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'cidr',
  'exists',
]);

/** `$or` is the OR primitive only when it holds at least two objects that use no operator as a key (as Ruler). */
function isOrPrimitive(value: unknown): value is Array<Record<string, unknown>> {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((v) => isPlainObject(v) && Object.keys(v).every((k) => !OPERATORS.has(k)))
  );
}

function compileValueList(values: unknown[], path: string): ValueMatcher[] {
  if (values.length === 0) throw new InvalidEventPatternError('an array of values must not be empty', path);
  return values.map((value, i) => compileValue(value, `${path}[${i}]`));
}

function compileValue(value: unknown, path: string): ValueMatcher {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return { kind: 'exact', value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidEventPatternError('numbers must be finite', path);
    return { kind: 'exact', value };
  }
  if (Array.isArray(value)) throw new InvalidEventPatternError('a value list must not contain an array', path);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) {
    throw new InvalidEventPatternError(
      `a filter object must hold exactly one operator, got ${entries.length ? entries.map(([k]) => k).join(', ') : 'none'}`,
      path,
    );
  }
  const [operator, operand] = entries[0] as [string, unknown];
  const where = `${path}.${operator}`;
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (typeof operand === 'string') return { kind: operator, value: operand, ignoreCase: false };
      const ignoreCase = isPlainObject(operand) ? operand['equals-ignore-case'] : undefined;
      if (isPlainObject(operand) && Object.keys(operand).length === 1 && typeof ignoreCase === 'string') {
        return { kind: operator, value: ignoreCase.toLowerCase(), ignoreCase: true };
      }
      throw new InvalidEventPatternError(`${operator} takes a string or {"equals-ignore-case": string}`, where);
    }
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw new InvalidEventPatternError('equals-ignore-case takes a string', where);
      return { kind: 'equals-ignore-case', value: operand.toLowerCase() };
    case 'wildcard':
      if (typeof operand !== 'string') throw new InvalidEventPatternError('wildcard takes a string', where);
      return { kind: 'wildcard', regex: wildcardRegex(operand, where) };
    case 'numeric':
      return { kind: 'numeric', test: numericTest(operand, where) };
    case 'cidr':
      if (typeof operand !== 'string') throw new InvalidEventPatternError('cidr takes a string', where);
      return { kind: 'cidr', test: cidrTest(operand, where) };
    case 'exists':
      if (typeof operand !== 'boolean') throw new InvalidEventPatternError('exists takes true or false', where);
      return { kind: 'exists', value: operand };
    case 'anything-but':
      return { kind: 'anything-but', not: anythingBut(operand, where) };
    default:
      throw new InvalidEventPatternError(`unrecognized match type "${operator}"`, path);
  }
}

function anythingBut(operand: unknown, where: string): ValueMatcher[] {
  if (typeof operand === 'string' || typeof operand === 'number') return [compileValue(operand, where)];
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new InvalidEventPatternError('anything-but list must not be empty', where);
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!allStrings && !allNumbers) {
      throw new InvalidEventPatternError('anything-but list must contain only strings or only numbers', where);
    }
    return operand.map((v, i) => compileValue(v, `${where}[${i}]`));
  }
  if (isPlainObject(operand)) {
    const entries = Object.entries(operand);
    if (entries.length !== 1) {
      throw new InvalidEventPatternError(
        'anything-but takes one of prefix, suffix, equals-ignore-case, wildcard',
        where,
      );
    }
    const [operator, inner] = entries[0] as [string, unknown];
    const at = `${where}.${operator}`;
    switch (operator) {
      case 'prefix':
      case 'suffix':
        if (typeof inner !== 'string')
          throw new InvalidEventPatternError(`anything-but ${operator} takes a string`, at);
        return [{ kind: operator, value: inner, ignoreCase: false }];
      case 'equals-ignore-case':
      case 'wildcard': {
        const list = typeof inner === 'string' ? [inner] : inner;
        if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string')) {
          throw new InvalidEventPatternError(`anything-but ${operator} takes a string or a list of strings`, at);
        }
        return list.map((v: string) =>
          operator === 'wildcard'
            ? { kind: 'wildcard' as const, regex: wildcardRegex(v, at) }
            : { kind: 'equals-ignore-case' as const, value: v.toLowerCase() },
        );
      }
    }
    throw new InvalidEventPatternError(`anything-but does not support "${operator}"`, at);
  }
  throw new InvalidEventPatternError('anything-but takes a string, a number, a list or an operator object', where);
}

function wildcardRegex(pattern: string, where: string): RegExp {
  let source = '';
  let previousWasWildcard = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') {
      if (previousWasWildcard)
        throw new InvalidEventPatternError('consecutive wildcard characters are not allowed', where);
      source += '.*';
      previousWasWildcard = true;
      continue;
    }
    previousWasWildcard = false;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new InvalidEventPatternError('a backslash may only escape "*" or "\\"', where);
      }
      source += `\\${next}`;
      i++;
      continue;
    }
    source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function numericTest(operand: unknown, where: string): (n: number) => boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new InvalidEventPatternError('numeric takes [operator, number] or [lower-op, n, upper-op, m]', where);
  }
  const tests: Array<(n: number) => boolean> = [];
  let lower: number | undefined;
  let upper: number | undefined;
  let equals = false;
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const bound = operand[i + 1];
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw new InvalidEventPatternError(`numeric operator "${String(op)}" needs a number`, where);
    }
    switch (op) {
      case '=':
        if (operand.length !== 2) throw new InvalidEventPatternError('numeric "=" cannot be combined', where);
        equals = true;
        tests.push((n) => n === bound);
        break;
      case '>':
      case '>=':
        if (lower !== undefined) throw new InvalidEventPatternError('numeric allows one lower bound', where);
        lower = bound;
        tests.push(op === '>' ? (n) => n > bound : (n) => n >= bound);
        break;
      case '<':
      case '<=':
        if (upper !== undefined) throw new InvalidEventPatternError('numeric allows one upper bound', where);
        upper = bound;
        tests.push(op === '<' ? (n) => n < bound : (n) => n <= bound);
        break;
      default:
        throw new InvalidEventPatternError(`unrecognized numeric operator ${JSON.stringify(op)}`, where);
    }
  }
  if (!equals && lower !== undefined && upper !== undefined && lower >= upper) {
    throw new InvalidEventPatternError('numeric lower bound must be below the upper bound', where);
  }
  return (n) => tests.every((t) => t(n));
}

/** An IP address as a 32-bit (v4) or 128-bit (v6) number, or undefined when `text` is not one. */
function parseIp(text: string): { version: 4 | 6; value: bigint } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    return { version: 4, value: octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n) };
  }
  if (!text.includes(':')) return undefined;
  let head = text;
  let tailV4: bigint[] = [];
  const embedded = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(text);
  if (embedded) {
    const ip4 = parseIp(embedded[2] as string);
    if (!ip4) return undefined;
    head = embedded[1] as string;
    if (!head.endsWith('::')) head = head.slice(0, -1);
    tailV4 = [ip4.value >> 16n, ip4.value & 0xffffn];
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string | undefined) => (s ? s.split(':') : []);
  const left = parseGroups(halves[0]);
  const right = parseGroups(halves[1]);
  if ([...left, ...right].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const explicit = left.length + right.length + tailV4.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const groups = [
    ...left.map((g) => BigInt(`0x${g}`)),
    ...Array<bigint>(8 - explicit).fill(0n),
    ...right.map((g) => BigInt(`0x${g}`)),
    ...tailV4,
  ];
  return { version: 6, value: groups.reduce((acc, g) => (acc << 16n) | g, 0n) };
}

function cidrTest(cidr: string, where: string): (ip: string) => boolean {
  const [address, bitsText, extra] = cidr.split('/');
  const network = parseIp(address ?? '');
  if (!network || extra !== undefined) throw new InvalidEventPatternError(`"${cidr}" is not a CIDR block`, where);
  const width = network.version === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!/^\d+$/.test(bitsText ?? String(width)) || bits > width) {
    throw new InvalidEventPatternError(`"${cidr}" has an invalid prefix length`, where);
  }
  const shift = BigInt(width - bits);
  const prefix = network.value >> shift;
  return (ip) => {
    const parsed = parseIp(ip);
    return parsed !== undefined && parsed.version === network.version && parsed.value >> shift === prefix;
  };
}

// ---------------------------------------------------------------------------------------------
// Matching

/** Objects reachable at this level: arrays (of any depth) are "crushed out", as Ruler does. */
function objectCandidates(value: unknown): unknown[] {
  if (!Array.isArray(value)) return [value];
  const objects = value.flat(Number.POSITIVE_INFINITY).filter(isPlainObject);
  return objects.length > 0 ? objects : [undefined];
}

function matchObject(node: ObjectNode, value: unknown): boolean {
  // Every field of one candidate must match (array-consistent matching): an object inside an array
  // is matched as a whole, never half from one element and half from another.
  return objectCandidates(value).some((candidate) => {
    const object = isPlainObject(candidate) ? candidate : {};
    return (
      node.fields.every(([key, field]) => matchField(field, Object.hasOwn(object, key) ? object[key] : undefined)) &&
      node.ors.every((alternatives) => alternatives.some((alternative) => matchObject(alternative, candidate)))
    );
  });
}

/** The leaf values of a field: primitives, or the primitives inside an array; objects are not leaves. */
function leafValues(value: unknown): Leaf[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flat(Number.POSITIVE_INFINITY).filter(isLeaf);
  return isLeaf(value) ? [value] : [];
}

const isLeaf = (v: unknown): v is Leaf =>
  v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function matchField(field: FieldNode, value: unknown): boolean {
  if (field.kind === 'object') return matchObject(field.node, value);
  const values = leafValues(value);
  return field.matchers.some((m) => {
    if (m.kind === 'exists') return m.value === values.length > 0;
    return values.some((v) => matchValue(m, v));
  });
}

function matchValue(m: ValueMatcher, v: Leaf): boolean {
  switch (m.kind) {
    case 'exact':
      return v === m.value;
    case 'prefix':
      return typeof v === 'string' && (m.ignoreCase ? v.toLowerCase() : v).startsWith(m.value);
    case 'suffix':
      return typeof v === 'string' && (m.ignoreCase ? v.toLowerCase() : v).endsWith(m.value);
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === m.value;
    case 'wildcard':
      return typeof v === 'string' && m.regex.test(v);
    case 'numeric':
      return typeof v === 'number' && m.test(v);
    case 'cidr':
      return typeof v === 'string' && m.test(v);
    case 'anything-but':
      return !m.not.some((inner) => matchValue(inner, v));
    case 'exists':
      return m.value;
  }
}
