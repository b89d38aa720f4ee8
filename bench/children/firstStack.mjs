// Child process of the error-cost benchmark: loads a bundle built with THROW_FOOTER, throws from the
// bundle's own code and times the first read of `error.stack` (V8 formats it lazily: with a bundle's
// stack-trace hook, that is when the hook reads its table and maps the frames).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [file] = process.argv.slice(2);
const loaded = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : createRequire(import.meta.url)(file);
let stack = '';
const started = performance.now();
try {
  loaded.__benchThrow();
} catch (error) {
  stack = error.stack;
}
const stackMs = performance.now() - started;
console.log(`@@bench-result ${JSON.stringify({ stackMs, frames: stack.split('\n').slice(0, 3) })}`);
process.exit(0);
