import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapBundleStackTrace } from './bundleHandlerLoader.js';

/** This package's sources: a frame in them is the local runtime calling the handler, not the function's code. */
const RUNTIME_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * The stack without the host's frames: from the first frame in the local runtime on, the frames are
 * the runtime and whoever invoked it (a trigger, the Invoke API), where Lambda would show its own
 * runtime's frames. What the function's code did stays.
 */
function functionFrames(lines: string[]): string[] {
  const first = lines.findIndex((line) => /^\s+at /.test(line) && line.includes(RUNTIME_DIR));
  return first === -1 ? lines : lines.slice(0, first);
}

/** The body Lambda answers an invocation with when the handler fails (`X-Amz-Function-Error: Unhandled`). */
export interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  /** The stack, one line per entry, frames mapped to the `.ts` sources. */
  trace: string[];
}

/** The invocation ran past the function's `Timeout`: Lambda stops it and reports `Sandbox.Timedout`. */
export class FunctionTimeoutError extends Error {
  constructor(
    readonly requestId: string,
    readonly timeoutSeconds: number,
  ) {
    super(`RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    this.name = 'FunctionTimeoutError';
  }
}

/**
 * What the Node.js Lambda runtime reports for a thrown value: an `Error`'s name, message and stack
 * lines (here with bundle frames mapped to the sources), or for anything else its type and text.
 *
 * @example
 * functionErrorPayload(new TypeError('x is undefined')); // { errorType: 'TypeError', errorMessage: 'x is undefined', trace: ['TypeError: x is undefined', '    at …'] }
 */
export function functionErrorPayload(error: unknown): FunctionErrorPayload {
  if (error instanceof FunctionTimeoutError) {
    return { errorType: 'Sandbox.Timedout', errorMessage: error.message, trace: [] };
  }
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const e = error as Error;
    const stack = typeof e.stack === 'string' ? mapBundleStackTrace(e.stack) : '';
    return {
      errorType: String(e.name ?? 'Error'),
      errorMessage: String(e.message),
      trace: stack === '' ? [] : functionFrames(stack.split('\n')),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}
