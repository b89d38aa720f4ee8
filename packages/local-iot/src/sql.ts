import { randomUUID } from 'node:crypto';
import { mqttTopicMatches } from './topics.js';

/** Thrown by `parseIotSql` with the position of the problem. */
export class IotSqlSyntaxError extends Error {
  constructor(message: string, sql: string, position: number) {
    super(`${message} at position ${position} of: ${sql}`);
    this.name = 'IotSqlSyntaxError';
  }
}

export type IotSqlExpression =
  | { kind: 'literal'; value: unknown }
  | { kind: 'field'; name: string }
  | { kind: 'star' }
  | { kind: 'member'; object: IotSqlExpression; key: string | number }
  | { kind: 'call'; name: string; args: IotSqlExpression[] }
  | { kind: 'binary'; op: string; left: IotSqlExpression; right: IotSqlExpression }
  | { kind: 'not'; operand: IotSqlExpression }
  | { kind: 'negate'; operand: IotSqlExpression };

export type IotSqlSelectItem = { kind: 'star' } | { kind: 'expr'; expr: IotSqlExpression; alias: string };

export interface ParsedIotSql {
  sql: string;
  select: { kind: 'value'; expr: IotSqlExpression } | { kind: 'fields'; items: IotSqlSelectItem[] };
  from: string;
  where?: IotSqlExpression;
}

export interface IotSqlContext {
  topic: string;
  /** Raw bytes (Buffer/Uint8Array/string are parsed as JSON when they are JSON), or an already-decoded JSON value. */
  payload: unknown;
  clientId?: string;
  /** Epoch milliseconds the broker received the message (default: now). */
  timestamp?: number;
  principal?: string;
}

/** What a rule produces: a JSON value, or the raw bytes for `SELECT *` over a non-JSON payload. */
export type IotSqlOutput = unknown;

type Token = { type: 'ident' | 'number' | 'string' | 'op' | 'eof'; value: string; position: number };

const KEYWORDS = new Set(['SELECT', 'VALUE', 'FROM', 'WHERE', 'AS', 'AND', 'OR', 'NOT', 'TRUE', 'FALSE', 'NULL']);

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'ident', value: m[0], position: i });
      i += m[0].length;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'number', value: m[0], position: i });
      i += m[0].length;
    } else if (c === "'" || c === '"' || c === '`') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new IotSqlSyntaxError('unterminated string', sql, i);
        const d = sql[j] as string;
        if (d === '\\' && j + 1 < sql.length) {
          value += sql[j + 1];
          j += 2;
        } else if (d === c && sql[j + 1] === c) {
          value += c;
          j += 2;
        } else if (d === c) {
          j++;
          break;
        } else {
          value += d;
          j++;
        }
      }
      // Single quotes are string literals; double quotes and backticks quote identifiers.
      tokens.push({ type: c === "'" ? 'string' : 'ident', value: c === "'" ? value : `"${value}`, position: i });
      i = j;
    } else {
      const two = sql.slice(i, i + 2);
      if (['<>', '!=', '<=', '>=', '||', '&&'].includes(two)) {
        tokens.push({ type: 'op', value: two, position: i });
        i += 2;
      } else if ('=<>+-*/%(),.[]'.includes(c)) {
        tokens.push({ type: 'op', value: c, position: i });
        i++;
      } else throw new IotSqlSyntaxError(`unexpected character "${c}"`, sql, i);
    }
  }
  tokens.push({ type: 'eof', value: '', position: sql.length });
  return tokens;
}

class Parser {
  private index = 0;
  constructor(
    private readonly sql: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }
  private next(): Token {
    return this.tokens[this.index++] as Token;
  }
  private isKeyword(token: Token, keyword: string): boolean {
    return token.type === 'ident' && token.value.toUpperCase() === keyword;
  }
  private acceptKeyword(keyword: string): boolean {
    if (this.isKeyword(this.peek(), keyword)) {
      this.index++;
      return true;
    }
    return false;
  }
  private expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword)) this.fail(`expected ${keyword}`);
  }
  private acceptOp(op: string): boolean {
    const t = this.peek();
    if (t.type === 'op' && t.value === op) {
      this.index++;
      return true;
    }
    return false;
  }
  private expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(`expected "${op}"`);
  }
  fail(message: string): never {
    const t = this.peek();
    throw new IotSqlSyntaxError(
      `${message}, found ${t.type === 'eof' ? 'end of input' : `"${t.value}"`}`,
      this.sql,
      t.position,
    );
  }
  atEnd(): boolean {
    return this.peek().type === 'eof';
  }

  statement(): ParsedIotSql {
    this.expectKeyword('SELECT');
    let select: ParsedIotSql['select'];
    if (this.acceptKeyword('VALUE')) select = { kind: 'value', expr: this.expression() };
    else {
      const items: IotSqlSelectItem[] = [];
      do {
        if (this.peek().type === 'op' && this.peek().value === '*') {
          this.index++;
          items.push({ kind: 'star' });
        } else {
          const start = this.index;
          const expr = this.expression();
          let alias: string;
          if (this.acceptKeyword('AS')) {
            const name = this.next();
            if (name.type !== 'ident') this.fail('expected an alias after AS');
            alias = name.value.replace(/^"/, '');
          } else alias = defaultAlias(expr, this.tokens.slice(start, this.index));
          items.push({ kind: 'expr', expr, alias });
        }
      } while (this.acceptOp(','));
      select = { kind: 'fields', items };
    }
    this.expectKeyword('FROM');
    const from = this.next();
    if (from.type !== 'string' || from.value === '')
      this.fail("expected a quoted topic filter after FROM, e.g. 'a/+/b'");
    let where: IotSqlExpression | undefined;
    if (this.acceptKeyword('WHERE')) where = this.expression();
    if (!this.atEnd()) this.fail('unexpected input');
    return { sql: this.sql, select, from: from.value, where };
  }

  expression(): IotSqlExpression {
    return this.or();
  }
  private or(): IotSqlExpression {
    let left = this.and();
    while (this.acceptKeyword('OR')) left = { kind: 'binary', op: 'OR', left, right: this.and() };
    return left;
  }
  private and(): IotSqlExpression {
    let left = this.not();
    while (this.acceptKeyword('AND') || this.acceptOp('&&'))
      left = { kind: 'binary', op: 'AND', left, right: this.not() };
    return left;
  }
  private not(): IotSqlExpression {
    if (this.acceptKeyword('NOT')) return { kind: 'not', operand: this.not() };
    return this.comparison();
  }
  private comparison(): IotSqlExpression {
    const left = this.additive();
    const t = this.peek();
    if (t.type === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.value)) {
      this.index++;
      return { kind: 'binary', op: t.value === '!=' ? '<>' : t.value, left, right: this.additive() };
    }
    return left;
  }
  private additive(): IotSqlExpression {
    let left = this.multiplicative();
    for (;;) {
      const t = this.peek();
      if (t.type === 'op' && ['+', '-', '||'].includes(t.value)) {
        this.index++;
        left = { kind: 'binary', op: t.value, left, right: this.multiplicative() };
      } else return left;
    }
  }
  private multiplicative(): IotSqlExpression {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.type === 'op' && ['*', '/', '%'].includes(t.value)) {
        this.index++;
        left = { kind: 'binary', op: t.value, left, right: this.unary() };
      } else return left;
    }
  }
  private unary(): IotSqlExpression {
    if (this.acceptOp('-')) return { kind: 'negate', operand: this.unary() };
    if (this.acceptOp('+')) return this.unary();
    return this.postfix(this.primary());
  }
  private postfix(expr: IotSqlExpression): IotSqlExpression {
    for (;;) {
      if (this.acceptOp('.')) {
        const name = this.next();
        if (name.type !== 'ident') this.fail('expected a field name after "."');
        expr = { kind: 'member', object: expr, key: name.value.replace(/^"/, '') };
      } else if (this.acceptOp('[')) {
        const index = this.next();
        if (index.type !== 'number' && index.type !== 'string') this.fail('expected an index');
        this.expectOp(']');
        expr = { kind: 'member', object: expr, key: index.type === 'number' ? Number(index.value) : index.value };
      } else return expr;
    }
  }
  private primary(): IotSqlExpression {
    const t = this.next();
    if (t.type === 'number') return { kind: 'literal', value: Number(t.value) };
    if (t.type === 'string') return { kind: 'literal', value: t.value };
    if (t.type === 'op' && t.value === '(') {
      const e = this.expression();
      this.expectOp(')');
      return e;
    }
    if (t.type === 'op' && t.value === '*') return { kind: 'star' };
    if (t.type === 'ident') {
      const upper = t.value.toUpperCase();
      if (upper === 'TRUE') return { kind: 'literal', value: true };
      if (upper === 'FALSE') return { kind: 'literal', value: false };
      if (upper === 'NULL') return { kind: 'literal', value: null };
      if (t.value.startsWith('"')) return { kind: 'field', name: t.value.slice(1) };
      if (this.acceptOp('(')) {
        const args: IotSqlExpression[] = [];
        if (!this.acceptOp(')')) {
          do args.push(this.expression());
          while (this.acceptOp(','));
          this.expectOp(')');
        }
        return { kind: 'call', name: t.value.toLowerCase(), args };
      }
      if (KEYWORDS.has(upper)) {
        this.index--;
        this.fail('expected an expression');
      }
      return { kind: 'field', name: t.value };
    }
    this.index--;
    return this.fail('expected an expression');
  }
}

function defaultAlias(expr: IotSqlExpression, tokens: Token[]): string {
  if (expr.kind === 'field') return expr.name;
  if (expr.kind === 'member' && typeof expr.key === 'string') return expr.key;
  if (expr.kind === 'call') return expr.name;
  return tokens.map((t) => t.value).join('');
}

/**
 * Parses an IoT SQL (2016-03-23) statement: `SELECT * | items [AS alias] | VALUE expr FROM 'filter' [WHERE expr]`.
 *
 * @example
 * const rule = parseIotSql("SELECT *, topic(3) AS room FROM 'updates/sensor/+' WHERE temperature > 20");
 */
export function parseIotSql(sql: string): ParsedIotSql {
  return new Parser(sql, tokenize(sql)).statement();
}

/** Parses one IoT SQL expression (as used in `${...}` substitution templates). */
export function parseIotSqlExpression(text: string): IotSqlExpression {
  const parser = new Parser(text, tokenize(text));
  const expr = parser.expression();
  if (!parser.atEnd()) parser.fail('unexpected input');
  return expr;
}

interface Evaluation {
  ctx: IotSqlContext;
  /** The decoded payload, or undefined when the payload is not JSON. */
  json: unknown;
  raw: Buffer;
  timestamp: number;
}

function decodePayload(payload: unknown): { json: unknown; raw: Buffer; isJson: boolean } {
  if (typeof payload === 'string' || payload instanceof Uint8Array) {
    const raw = Buffer.from(payload as Uint8Array);
    if (raw.length === 0) return { json: undefined, raw, isJson: false };
    try {
      return { json: JSON.parse(raw.toString('utf8')), raw, isJson: true };
    } catch {
      return { json: undefined, raw, isJson: false };
    }
  }
  return { json: payload, raw: Buffer.from(JSON.stringify(payload ?? null)), isJson: true };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function evaluate(expr: IotSqlExpression, e: Evaluation): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'star':
      return e.json !== undefined ? e.json : e.raw;
    case 'field':
      return isObject(e.json) ? e.json[expr.name] : undefined;
    case 'member': {
      const object = evaluate(expr.object, e);
      if (typeof expr.key === 'number') return Array.isArray(object) ? object[expr.key] : undefined;
      return isObject(object) ? object[expr.key] : undefined;
    }
    case 'not': {
      const v = evaluate(expr.operand, e);
      return typeof v === 'boolean' ? !v : undefined;
    }
    case 'negate': {
      const v = toNumber(evaluate(expr.operand, e));
      return v === undefined ? undefined : -v;
    }
    case 'call':
      return callFunction(expr, e);
    case 'binary':
      return binary(expr.op, evaluate(expr.left, e), () => evaluate(expr.right, e));
  }
}

function binary(op: string, left: unknown, rightThunk: () => unknown): unknown {
  if (op === 'AND') {
    if (left === false) return false;
    const right = rightThunk();
    if (right === false) return false;
    return left === true && right === true ? true : undefined;
  }
  if (op === 'OR') {
    if (left === true) return true;
    const right = rightThunk();
    if (right === true) return true;
    return left === false && right === false ? false : undefined;
  }
  const right = rightThunk();
  if (left === undefined || right === undefined) return undefined;
  switch (op) {
    case '=':
    case '<>': {
      let equal: boolean;
      const [ln, rn] = [toNumber(left), toNumber(right)];
      if (typeof left === 'number' || typeof right === 'number') equal = ln !== undefined && ln === rn;
      else equal = typeof left === typeof right && deepEqual(left, right);
      return op === '=' ? equal : !equal;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      let cmp: number;
      if (
        typeof left === 'string' &&
        typeof right === 'string' &&
        (toNumber(left) === undefined || toNumber(right) === undefined)
      ) {
        cmp = left < right ? -1 : left > right ? 1 : 0;
      } else {
        const [ln, rn] = [toNumber(left), toNumber(right)];
        if (ln === undefined || rn === undefined) return undefined;
        cmp = ln - rn;
      }
      return op === '<' ? cmp < 0 : op === '<=' ? cmp <= 0 : op === '>' ? cmp > 0 : cmp >= 0;
    }
    case '||':
      return typeof left === 'object' || typeof right === 'object' ? undefined : `${left}${right}`;
    default: {
      const [ln, rn] = [toNumber(left), toNumber(right)];
      if (ln === undefined || rn === undefined) return undefined;
      if (op === '+') return ln + rn;
      if (op === '-') return ln - rn;
      if (op === '*') return ln * rn;
      if (rn === 0) return undefined;
      if (op === '/') return Number.isInteger(ln) && Number.isInteger(rn) ? Math.trunc(ln / rn) : ln / rn;
      return ln % rn;
    }
  }
}

function callFunction(expr: Extract<IotSqlExpression, { kind: 'call' }>, e: Evaluation): unknown {
  const args = () => expr.args.map((a) => evaluate(a, e));
  switch (expr.name) {
    case 'topic': {
      if (expr.args.length === 0) return e.ctx.topic;
      const n = toNumber(args()[0]);
      if (n === undefined || !Number.isInteger(n) || n < 1) return undefined;
      return e.ctx.topic.split('/')[n - 1];
    }
    case 'clientid':
      return e.ctx.clientId;
    case 'timestamp':
      return e.timestamp;
    case 'principal':
      return e.ctx.principal;
    case 'newuuid':
      return randomUUID();
    case 'encode': {
      const [value, encoding] = args();
      if (encoding !== 'base64') return undefined;
      if (expr.args[0]?.kind === 'star') return e.raw.toString('base64');
      return value === undefined
        ? undefined
        : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
    }
    case 'lower':
    case 'upper': {
      const [v] = args();
      if (typeof v !== 'string') return undefined;
      return expr.name === 'lower' ? v.toLowerCase() : v.toUpperCase();
    }
    case 'concat': {
      const values = args();
      if (values.some((v) => v === undefined)) return undefined;
      return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('');
    }
    case 'abs': {
      const n = toNumber(args()[0]);
      return n === undefined ? undefined : Math.abs(n);
    }
    case 'isundefined':
      return args()[0] === undefined;
    case 'startswith': {
      // Undefined unless both arguments are strings, as in IoT SQL.
      const [text, prefix] = args();
      return typeof text === 'string' && typeof prefix === 'string' ? text.startsWith(prefix) : undefined;
    }
    default:
      throw new Error(`IoT SQL function ${expr.name}() is not supported by the local evaluator`);
  }
}

/**
 * Runs a parsed rule against one message. Returns `undefined` when the topic does not match FROM or WHERE is not
 * true; otherwise the rule output: an object for `SELECT` items (undefined values left out), any value for
 * `SELECT VALUE`, and the raw payload bytes (a Buffer) for `SELECT *` over a non-JSON payload (IoT passes binary
 * payloads through only when selected with `*`; other items over a binary payload are added to an empty object).
 *
 * @example
 * evaluateIotSql(parseIotSql("SELECT *, topic(3) AS room FROM 'updates/sensor/+'"), { topic: 'updates/sensor/kitchen', payload: '{"t":21}' });
 * // { t: 21, room: 'kitchen' }
 */
export function evaluateIotSql(parsed: ParsedIotSql, ctx: IotSqlContext): IotSqlOutput | undefined {
  if (!mqttTopicMatches(parsed.from, ctx.topic)) return undefined;
  const { json, raw, isJson } = decodePayload(ctx.payload);
  const e: Evaluation = { ctx, json: isJson ? json : undefined, raw, timestamp: ctx.timestamp ?? Date.now() };
  if (parsed.where && evaluate(parsed.where, e) !== true) return undefined;
  if (parsed.select.kind === 'value') return evaluate(parsed.select.expr, e);
  const items = parsed.select.items;
  if (items.length === 1 && items[0]?.kind === 'star') return isJson ? e.json : raw;
  const output: Record<string, unknown> = {};
  for (const item of items) {
    if (item.kind === 'star') {
      if (isObject(e.json)) Object.assign(output, e.json);
    } else {
      const value = evaluate(item.expr, e);
      if (value !== undefined) output[item.alias] = Buffer.isBuffer(value) ? value.toString('base64') : value;
    }
  }
  return output;
}

/**
 * Expands `${expr}` substitution templates (e.g. a Republish topic `out/${topic(2)}/${clientid()}`).
 * An expression that is undefined expands to the empty string.
 */
export function substituteIotTemplate(template: string, ctx: IotSqlContext): string {
  const { json, raw, isJson } = decodePayload(ctx.payload);
  const e: Evaluation = { ctx, json: isJson ? json : undefined, raw, timestamp: ctx.timestamp ?? Date.now() };
  return template.replace(/\$\{([^}]*)\}/g, (_, text: string) => {
    const value = evaluate(parseIotSqlExpression(text), e);
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
