import { mapBundleStackTrace } from './bundleHandlerLoader.js';
import type { InvocationReport, LambdaLogEntry, LambdaLogWriter } from './invocationLog.js';
import { writeThrough } from './invocationLog.js';

/**
 * Keys Powertools' Logger (and Lambda's JSON log format) put on every line: the terminal already
 * says which function and invocation a line belongs to, so they only hide what the line is about.
 */
const STANDARD_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'time',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'requestId',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The stack of a logged error (`logger.error('…', error)` puts `{ name, location, message, stack }` under `error`). */
function errorStack(value: unknown): string[] {
  if (!isRecord(value)) return [];
  if (typeof value.stack === 'string') return mapBundleStackTrace(value.stack).split('\n');
  if (typeof value.name === 'string' && typeof value.message === 'string') return [`${value.name}: ${value.message}`];
  return [];
}

/**
 * One line a handler wrote, made readable: a structured log line (Powertools' Logger, Lambda's JSON
 * log format) becomes `LEVEL message {other keys}`, with a logged error's stack on the lines after
 * it; anything else stays as written.
 *
 * @example
 * prettyLogLine('{"level":"WARN","message":"retrying","timestamp":"…","service":"orders","attempt":2}');
 * // ['WARN retrying {"attempt":2}']
 */
export function prettyLogLine(text: string): string[] {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return [text];
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return [text];
  }
  if (!isRecord(parsed) || typeof parsed.level !== 'string' || !('message' in parsed)) return [text];
  const extras: Record<string, unknown> = {};
  let stack: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (STANDARD_KEYS.has(key)) continue;
    const lines = key === 'error' ? errorStack(value) : [];
    if (lines.length > 0) stack = lines;
    else extras[key] = value;
  }
  const message = typeof parsed.message === 'string' ? parsed.message : JSON.stringify(parsed.message);
  const head = [parsed.level.toUpperCase(), message, ...(Object.keys(extras).length ? [JSON.stringify(extras)] : [])];
  return [head.join(' '), ...stack.map((line) => (/^\s*at /.test(line) ? `    ${line.trim()}` : `  ${line}`))];
}

/** `REPORT <function> RequestId: … Duration: 12.30 ms … Status: ok`, one line. */
export function formatReportLine(functionName: string, requestId: string, report: InvocationReport): string {
  return [
    `REPORT ${functionName} RequestId: ${requestId}`,
    `Duration: ${report.durationMs.toFixed(2)} ms`,
    ...(report.initDurationMs === undefined ? [] : [`Init Duration: ${report.initDurationMs.toFixed(2)} ms`]),
    `Memory Size: ${report.memorySizeMb} MB`,
    `Status: ${report.status}`,
  ].join('  ');
}

/**
 * The lines a log entry becomes in a terminal, like a local Lambda runtime prints them: `START`,
 * the handler's lines prefixed with the function name (pretty-printed unless `jsonLogs`), a
 * failure's mapped stack, `END`, `REPORT`.
 *
 * @example
 * formatLogEntry({ kind: 'start', functionName: 'orders-dev-create', requestId: 'r-1' }); // ['START orders-dev-create RequestId: r-1']
 */
export function formatLogEntry(entry: LambdaLogEntry, options: { jsonLogs?: boolean } = {}): string[] {
  const prefix = `[${entry.functionName}]`;
  switch (entry.kind) {
    case 'start':
      return [`START ${entry.functionName} RequestId: ${entry.requestId}`];
    case 'line':
      return (options.jsonLogs ? [entry.text] : prettyLogLine(entry.text)).map((line) => `${prefix} ${line}`);
    case 'error': {
      // The trace's first line repeats `errorType: errorMessage`.
      const frames = entry.trace.filter((line) => /^\s+at /.test(line)).map((line) => `${prefix}     ${line.trim()}`);
      return [`${prefix} ERROR Invoke Error ${entry.errorType}: ${entry.errorMessage}`, ...frames];
    }
    case 'end':
      return [`END ${entry.functionName} RequestId: ${entry.requestId}`];
    case 'report':
      return [formatReportLine(entry.functionName, entry.requestId, entry.report)];
  }
}

/**
 * A `LambdaLogWriter` that prints every function's output to the terminal (stdout) as
 * `formatLogEntry` formats it.
 *
 * @example
 * const lambda = new LocalLambda(functions, loader, {}, { logWriter: terminalLogWriter() });
 */
export function terminalLogWriter(
  options: { jsonLogs?: boolean; write?: (line: string) => void } = {},
): LambdaLogWriter {
  const write = options.write ?? ((line: string) => writeThrough('stdout', `${line}\n`));
  return (entry) => {
    for (const line of formatLogEntry(entry, options)) write(line);
  };
}
