import type { IotAction, IotPolicyDocument, IotPolicyStatement } from '@blueprints/common';

export interface IotAuthorizationRequest {
  action: IotAction;
  /** Full resource ARN, e.g. `arn:aws:iot:us-east-1:123456789012:topic/news`. */
  resource: string;
  clientId: string;
  /** More policy variables by name without `${}` (e.g. `iot:Connection.Thing.ThingName`); unresolved ones never match. */
  variables?: Record<string, string>;
}

export type IotPolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

type Token = { literal: string } | { any: true } | { one: true };

const toArray = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

/**
 * Parses a policy pattern into tokens: `*` (any sequence), `?` (one character), `$(*)` `$(?)` `$($)` (literal
 * characters), `${name}` (a variable, substituted LITERALLY: a client id containing `*` does not become a
 * wildcard). Returns undefined when a variable cannot be resolved: that pattern matches nothing.
 */
function tokenize(pattern: string, variables: Record<string, string> | undefined): Token[] | undefined {
  const tokens: Token[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '*') tokens.push({ any: true });
    else if (c === '?') tokens.push({ one: true });
    else if (
      c === '$' &&
      chars[i + 1] === '(' &&
      chars[i + 3] === ')' &&
      ['*', '?', '$'].includes(chars[i + 2] ?? '')
    ) {
      tokens.push({ literal: chars[i + 2] as string });
      i += 3;
    } else if (c === '$' && chars[i + 1] === '{') {
      const end = chars.indexOf('}', i + 2);
      if (end < 0) {
        tokens.push({ literal: c });
        continue;
      }
      const name = chars.slice(i + 2, end).join('');
      const value = variables?.[name];
      if (value === undefined) return undefined;
      for (const v of Array.from(value)) tokens.push({ literal: v });
      i = end;
    } else tokens.push({ literal: c });
  }
  return tokens;
}

/** Glob match over code points, iterative with single backtrack point (linear-ish, no recursion). */
function globMatch(tokens: Token[], text: string[], caseInsensitive: boolean): boolean {
  const eq = (a: string, b: string) => (caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b);
  let t = 0;
  let s = 0;
  let starT = -1;
  let starS = 0;
  while (s < text.length) {
    const token = tokens[t];
    if (token && 'one' in token) {
      t++;
      s++;
    } else if (token && 'literal' in token && eq(token.literal, text[s] as string)) {
      t++;
      s++;
    } else if (token && 'any' in token) {
      starT = t++;
      starS = s;
    } else if (starT >= 0) {
      t = starT + 1;
      s = ++starS;
    } else return false;
  }
  while (t < tokens.length && 'any' in (tokens[t] as Token)) t++;
  return t === tokens.length;
}

function matchesAny(
  patterns: string[],
  value: string,
  variables: Record<string, string> | undefined,
  caseInsensitive: boolean,
): boolean {
  const text = Array.from(value);
  return patterns.some((p) => {
    const tokens = tokenize(p, variables);
    return tokens !== undefined && globMatch(tokens, text, caseInsensitive);
  });
}

function statementApplies(
  statement: IotPolicyStatement,
  request: IotAuthorizationRequest,
  vars: Record<string, string>,
) {
  const actions = toArray(statement.Action);
  const notActions = toArray(statement.NotAction);
  const actionMatches = actions
    ? matchesAny(actions, request.action, undefined, true)
    : notActions
      ? !matchesAny(notActions, request.action, undefined, true)
      : false;
  if (!actionMatches) return false;
  const resources = toArray(statement.Resource);
  const notResources = toArray(statement.NotResource);
  if (resources) return matchesAny(resources, request.resource, vars, false);
  if (notResources) return !matchesAny(notResources, request.resource, vars, false);
  return false;
}

/**
 * Evaluates IoT Core policies for one request with IoT's semantics: IAM wildcards `*` and `?` in actions
 * (case-insensitive, e.g. `iot:*`) and resources; MQTT `+` and `#` are literal characters; `$(*)`, `$(?)`, `$($)`
 * escapes; policy variables `${iot:ClientId}` (plus `request.variables`; an unresolved variable makes its pattern
 * match nothing); `Action`/`NotAction`, `Resource`/`NotResource` as a string or array; an explicit Deny wins over
 * any Allow. Conditions are not evaluated and fail closed: an Allow with a `Condition` never applies, a Deny with
 * one applies whenever its actions and resources match.
 *
 * @example
 * evaluateIotPolicy([policy], { action: 'iot:Subscribe', resource: 'arn:aws:iot:us-east-1:123456789012:topicfilter/news', clientId: 'user-1' });
 * // 'allow'
 */
export function evaluateIotPolicy(documents: IotPolicyDocument[], request: IotAuthorizationRequest): IotPolicyDecision {
  const vars: Record<string, string> = { ...request.variables, 'iot:ClientId': request.clientId };
  let allowed = false;
  for (const document of documents) {
    const statements = Array.isArray(document?.Statement)
      ? document.Statement
      : document?.Statement
        ? [document.Statement]
        : [];
    for (const statement of statements) {
      if (!statement || typeof statement !== 'object') continue;
      const conditional = statement.Condition !== undefined && Object.keys(statement.Condition).length > 0;
      if (statement.Effect === 'Deny') {
        if (statementApplies(statement, request, vars)) return 'explicit-deny';
      } else if (statement.Effect === 'Allow' && !conditional && !allowed) {
        allowed = statementApplies(statement, request, vars);
      }
    }
  }
  return allowed ? 'allow' : 'implicit-deny';
}
