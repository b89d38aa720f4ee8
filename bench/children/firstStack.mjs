// Child process of the error-cost benchmark: loads a bundle built with THROW_FOOTER, throws from the
// bundle's own code and times the first read of `error.stack` (V8 formats it lazily: with a bundle's
// stack-trace hook, that is when the hook reads its table and maps the frames), then the same throw
// and read once more in the same process (what is left when every one-time cost has been paid: the
// hook compiled, its table read, V8's line tables of the scripts involved built).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [file] = process.argv.slice(2);
const loaded = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : createRequire(import.meta.url)(file);

/** Milliseconds from the throw to the formatted stack, and the stack's first lines. */
function timedThrow() {
  let stack = '';
  const started = performance.now();
  try {
    loaded.__benchThrow();
  } catch (error) {
    stack = error.stack;
  }
  return { ms: performance.now() - started, frames: stack.split('\n').slice(0, 3) };
}

const first = timedThrow();
const second = timedThrow();
console.log(`@@bench-result ${JSON.stringify({ stackMs: first.ms, secondStackMs: second.ms, frames: first.frames })}`);
process.exit(0);
