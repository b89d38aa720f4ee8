/**
 * What an EventBridge rule target receives: the event itself, a constant `Input`, the part of the
 * event an `InputPath` selects, or an `InputTransformer` template filled from `InputPathsMap`.
 */

export class JsonPathError extends Error {
  constructor(path: string, reason: string) {
    super(`Unsupported JSON path "${path}": ${reason}`);
    this.name = 'JsonPathError';
  }
}

type Segment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

function parseJsonPath(path: string): Segment[] {
  if (!path.startsWith('$')) throw new JsonPathError(path, 'it must start with "$"');
  const segments: Segment[] = [];
  const re = /\.([A-Za-z0-9_\-/$@:]+|\*)|\[(\d+|\*)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const start = re.lastIndex;
    const m = re.exec(path);
    if (!m) throw new JsonPathError(path, `unexpected text at ${start}`);
    const dotted = m[1];
    const bracketed = m[2];
    const quoted = m[3] ?? m[4];
    if (dotted === '*' || bracketed === '*') segments.push({ kind: 'wildcard' });
    else if (dotted !== undefined) segments.push({ kind: 'key', key: dotted });
    else if (bracketed !== undefined) segments.push({ kind: 'index', index: Number(bracketed) });
    else segments.push({ kind: 'key', key: quoted as string });
  }
  return segments;
}

/**
 * Reads a value with the JSON-path subset EventBridge supports (dot notation, dashes, underscores,
 * array indices, `*`). Returns `undefined` when the path does not resolve.
 *
 * @example
 * readJsonPath({ detail: { brand: 'A' } }, '$.detail.brand'); // 'A'
 */
export function readJsonPath(value: unknown, path: string): unknown {
  let current: unknown[] = [value];
  let wildcard = false;
  for (const segment of parseJsonPath(path)) {
    const next: unknown[] = [];
    for (const v of current) {
      if (segment.kind === 'wildcard') {
        wildcard = true;
        if (Array.isArray(v)) next.push(...v);
        else if (v !== null && typeof v === 'object') next.push(...Object.values(v));
      } else if (segment.kind === 'index') {
        if (Array.isArray(v) && segment.index < v.length) next.push(v[segment.index]);
      } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, segment.key)) {
        next.push((v as Record<string, unknown>)[segment.key]);
      }
    }
    current = next;
  }
  return wildcard ? current : current[0];
}

/** The variables EventBridge defines for every input template. */
export interface PredefinedTemplateVariables {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

export interface InputTransformerSpec {
  inputPathsMap?: Record<string, string>;
  inputTemplate: string;
}

/**
 * Variables inserted as raw JSON wherever they stand (the docs: "can only be used as a value for a
 * JSON field"): `aws.events.event` is the event WITHOUT its `detail` field, `aws.events.event.json`
 * the whole event.
 */
const RAW_JSON_VARIABLES = new Set(['aws.events.event', 'aws.events.event.json']);

/**
 * Fills an input template. A placeholder inside a JSON string literal gets the value's text
 * (escaped); elsewhere it gets the value as JSON (a string with its quotes).
 * `<aws.events.event.json>\n` makes one line of newline-delimited JSON per event (the archive
 * template); `<aws.events.event>` is the same without `detail`, as AWS documents it.
 */
export function renderInputTemplate(
  spec: InputTransformerSpec,
  event: Record<string, unknown>,
  predefined: PredefinedTemplateVariables,
): string {
  const variables = new Map<string, unknown>();
  for (const [name, path] of Object.entries(spec.inputPathsMap ?? {})) variables.set(name, readJsonPath(event, path));
  variables.set('aws.events.rule-arn', predefined.ruleArn);
  variables.set('aws.events.rule-name', predefined.ruleName);
  variables.set('aws.events.event.ingestion-time', predefined.ingestionTime);
  const eventJson = JSON.stringify(event);
  const { detail: _detail, ...withoutDetail } = event;
  const envelopeJson = JSON.stringify(withoutDetail);

  let out = '';
  let inString = false;
  const template = spec.inputTemplate;
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c === '<') {
      const close = template.indexOf('>', i + 1);
      const name = close > i ? template.slice(i + 1, close) : '';
      if (RAW_JSON_VARIABLES.has(name)) {
        out += name === 'aws.events.event.json' ? eventJson : envelopeJson;
        i = close;
        continue;
      }
      if (variables.has(name)) {
        const value = variables.get(name);
        if (inString) {
          const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
          out += JSON.stringify(text).slice(1, -1);
        } else {
          out += value === undefined ? 'null' : JSON.stringify(value);
        }
        i = close;
        continue;
      }
    }
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    out += c;
  }
  return out;
}

/** How a rule target shapes what it sends (CloudFormation `Input`, `InputPath`, `InputTransformer`). */
export interface TargetInputSpec {
  input?: string;
  inputPath?: string;
  inputTransformer?: InputTransformerSpec;
}

/** The payload a target receives for `event`, as text. */
export function targetPayload(
  spec: TargetInputSpec,
  event: Record<string, unknown>,
  predefined: PredefinedTemplateVariables,
): string {
  if (spec.input !== undefined) return spec.input;
  if (spec.inputPath !== undefined) return JSON.stringify(readJsonPath(event, spec.inputPath) ?? null);
  if (spec.inputTransformer) return renderInputTemplate(spec.inputTransformer, event, predefined);
  return JSON.stringify(event);
}
