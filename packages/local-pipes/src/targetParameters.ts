/** A target parameter holding a JSON path that does not resolve against the event. */
export class UnresolvedPipePathError extends Error {
  constructor(
    readonly parameter: string,
    readonly path: string,
  ) {
    super(
      `${parameter} is the dynamic path ${path}, which does not resolve to a value in the event it is applied to ` +
        '(AWS documents no behaviour for this case; the local runner fails the batch instead of guessing)',
    );
    this.name = 'UnresolvedPipePathError';
  }
}

/** Whether a target-parameter value is a dynamic path: the whole value must be the path. */
export function isDynamicPath(value: unknown): value is string {
  return typeof value === 'string' && /^\$\.[A-Za-z0-9_\-.[\]*]+$/.test(value);
}

/** A string that holds JSON (a Kinesis `data` field, base64 of JSON; an SQS `body`) as a value. */
function embeddedJson(value: string, key: string | undefined): unknown {
  const candidates = key === 'data' ? [Buffer.from(value, 'base64').toString('utf8'), value] : [value];
  for (const text of candidates) {
    try {
      return JSON.parse(text);
    } catch {
      // not JSON in this form
    }
  }
  return undefined;
}

/**
 * Reads a JSON path (`$.a.b`, `$.list[0].c`) from a pipe event. As the Pipes docs describe for
 * source payloads, a string field that holds JSON (Kinesis `data` is base64 of it) is read into.
 *
 * @example
 * readPipePath({ recordType: 'CONTROL' }, '$.recordType'); // 'CONTROL'
 */
export function readPipePath(event: unknown, path: string): unknown {
  const steps = path
    .slice(2)
    .split('.')
    .flatMap((part) => part.split(/\[(\d+)\]/).filter((s) => s !== ''));
  let current: unknown = event;
  let lastKey: string | undefined;
  for (const step of steps) {
    if (typeof current === 'string') current = embeddedJson(current, lastKey);
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
    lastKey = step;
  }
  return current;
}

/** A target-parameter value: itself, or what its dynamic path reads from the event. */
export function resolvePipeParameter(parameter: string, value: unknown, event: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isDynamicPath(value)) return String(value);
  const resolved = readPipePath(event, value);
  if (resolved === undefined || resolved === null || typeof resolved === 'object') {
    throw new UnresolvedPipePathError(parameter, value);
  }
  return String(resolved);
}

/**
 * Applies a pipe `InputTemplate` to one event: `<aws.pipes.event.json>` is the whole event as
 * JSON, `<aws.pipes.event>` the event as text, `<$.path>` the value at that path (JSON text outside
 * quotes, raw text inside quotes).
 */
export function applyPipeInputTemplate(template: string, event: unknown): string {
  return template.replace(
    /(")?<(aws\.pipes\.event\.json|aws\.pipes\.event|\$\.[^>]+)>(")?/g,
    (_m, open, name, close) => {
      const quoted = open === '"' && close === '"';
      const value = name.startsWith('$.') ? readPipePath(event, name) : event;
      if (name === 'aws.pipes.event.json' || (!quoted && typeof value !== 'string')) {
        return `${open ?? ''}${JSON.stringify(value ?? null)}${close ?? ''}`;
      }
      const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
      return quoted ? `"${JSON.stringify(text).slice(1, -1)}"` : `${open ?? ''}${text}${close ?? ''}`;
    },
  );
}
