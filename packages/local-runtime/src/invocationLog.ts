import { AsyncLocalStorage } from 'node:async_hooks';

/** One line of a function's log, as the local runtime hands it to a `LambdaLogWriter`. */
export type LambdaLogEntry =
  | { kind: 'start'; functionName: string; requestId: string }
  | { kind: 'line'; functionName: string; requestId: string; text: string }
  | { kind: 'error'; functionName: string; requestId: string; errorType: string; errorMessage: string; trace: string[] }
  | { kind: 'end'; functionName: string; requestId: string }
  | { kind: 'report'; functionName: string; requestId: string; report: InvocationReport };

/** What a `REPORT` line says about one invocation. */
export interface InvocationReport {
  durationMs: number;
  /** Only on the invocation that loaded the handler's module (a cold start). */
  initDurationMs?: number;
  memorySizeMb: number;
  status: 'ok' | 'error' | 'timeout';
}

/** Where a `LocalLambda` sends its functions' output (e.g. a terminal, see `terminalLogWriter`). */
export type LambdaLogWriter = (entry: LambdaLogEntry) => void;

/** A function's log kept for `X-Amz-Log-Result`: Lambda returns its last 4 KB, so keeping far more is waste. */
const KEPT_LOG_BYTES = 64 * 1024;

/**
 * The log of one invocation, in the shape Lambda writes to CloudWatch (`START RequestId: …`, the
 * handler's output, `END`, `REPORT …`), and the writer its lines also go to as they arrive.
 */
export class InvocationLog {
  private lines: string[] = [];
  private bytes = 0;
  private partial = '';
  private ended = false;

  constructor(
    readonly functionName: string,
    readonly requestId: string,
    private readonly writer: LambdaLogWriter | undefined,
    private readonly passThrough: (stream: 'stdout' | 'stderr', chunk: string) => void,
  ) {}

  start(): void {
    this.keep(`START RequestId: ${this.requestId} Version: $LATEST`);
    this.writer?.({ kind: 'start', functionName: this.functionName, requestId: this.requestId });
  }

  /** What the handler wrote to stdout or stderr while this invocation ran (or later, from a timer it left behind). */
  write(stream: 'stdout' | 'stderr', chunk: string): void {
    if (!this.writer) this.passThrough(stream, chunk);
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.line(line);
  }

  /** The error line the Node.js runtime writes when a handler fails (`ERROR Invoke Error {…}`), with the mapped trace. */
  error(errorType: string, errorMessage: string, trace: string[]): void {
    this.flushPartial();
    const payload = JSON.stringify({ errorType, errorMessage, stack: trace });
    this.keep(`${new Date().toISOString()}\t${this.requestId}\tERROR\tInvoke Error \t${payload}`);
    this.writer?.({
      kind: 'error',
      functionName: this.functionName,
      requestId: this.requestId,
      errorType,
      errorMessage,
      trace,
    });
  }

  /** `Task timed out after 3.00 seconds`, as Lambda logs it. */
  timedOut(timeoutSeconds: number): void {
    this.flushPartial();
    const text = `${new Date().toISOString()} ${this.requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
    this.keep(text);
    this.writer?.({ kind: 'line', functionName: this.functionName, requestId: this.requestId, text });
  }

  end(report: InvocationReport): void {
    this.flushPartial();
    this.ended = true;
    this.keep(`END RequestId: ${this.requestId}`);
    this.writer?.({ kind: 'end', functionName: this.functionName, requestId: this.requestId });
    const fields = [
      `Duration: ${report.durationMs.toFixed(2)} ms`,
      `Billed Duration: ${Math.max(1, Math.ceil(report.durationMs))} ms`,
      `Memory Size: ${report.memorySizeMb} MB`,
      ...(report.initDurationMs === undefined ? [] : [`Init Duration: ${report.initDurationMs.toFixed(2)} ms`]),
      ...(report.status === 'ok' ? [] : [`Status: ${report.status}`]),
    ];
    this.keep(`REPORT RequestId: ${this.requestId}\t${fields.join('\t')}`);
    this.writer?.({ kind: 'report', functionName: this.functionName, requestId: this.requestId, report });
  }

  /** The log so far (its last 64 KB), one line per line, ending with a newline. */
  text(): string {
    return this.lines.map((line) => `${line}\n`).join('');
  }

  private flushPartial(): void {
    if (this.partial === '') return;
    const line = this.partial;
    this.partial = '';
    this.line(line);
  }

  private line(text: string): void {
    // After END the invocation's log is closed (Lambda would put it in the next one's); the writer still shows it.
    if (!this.ended) this.keep(text);
    this.writer?.({ kind: 'line', functionName: this.functionName, requestId: this.requestId, text });
  }

  private keep(line: string): void {
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line) + 1;
    while (this.bytes > KEPT_LOG_BYTES && this.lines.length > 1) {
      this.bytes -= Buffer.byteLength(this.lines.shift() as string) + 1;
    }
  }
}

const currentLog = new AsyncLocalStorage<InvocationLog>();
let originalWrites: { stdout: typeof process.stdout.write; stderr: typeof process.stderr.write } | undefined;

/**
 * Writes to the real stream, bypassing the capture: a `LambdaLogWriter` runs inside the invocation
 * whose line it prints, where `process.stdout.write` would hand the line back to that invocation.
 */
export function writeThrough(stream: 'stdout' | 'stderr', chunk: string): void {
  const writes = originalWrites;
  if (!writes) {
    process[stream].write(chunk);
    return;
  }
  writes[stream].call(process[stream], chunk);
}

/**
 * Diverts `process.stdout`/`process.stderr` writes made inside an invocation (its module load,
 * its handler and everything they schedule) to that invocation's log, once per process. Handlers
 * run in the host process, so the async context is the only thing that tells whose line it is;
 * Powertools' Logger and `console` both end in these streams' `write`.
 */
function captureFunctionOutput(): void {
  if (originalWrites) return;
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  originalWrites = writes;
  for (const stream of ['stdout', 'stderr'] as const) {
    const original = writes[stream];
    process[stream].write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const log = currentLog.getStore();
      if (!log) return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      log.write(stream, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      if (callback) process.nextTick(callback);
      return true;
    } as typeof process.stdout.write;
  }
}

/**
 * Runs `work` with its output captured into a new `InvocationLog` (started, not yet ended).
 *
 * @example
 * const log = openInvocationLog('orders-dev-create', requestId, writer);
 * log.start();
 * await runWithInvocationLog(log, () => handler(event, context));
 */
export function runWithInvocationLog<T>(log: InvocationLog, work: () => Promise<T>): Promise<T> {
  captureFunctionOutput();
  return currentLog.run(log, work);
}

/** A new invocation log whose handler output goes to `writer`, or unchanged to the terminal when there is none. */
export function openInvocationLog(functionName: string, requestId: string, writer?: LambdaLogWriter): InvocationLog {
  return new InvocationLog(functionName, requestId, writer, writeThrough);
}
