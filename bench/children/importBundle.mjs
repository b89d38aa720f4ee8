// Child process of the cold-init benchmark: loads one Lambda bundle the way the Lambda Node.js
// runtime does (.mjs with import(), .js/.cjs with require()) and prints how long that took, in wall
// time and in CPU time of this process (every thread: V8 compiles on background threads too).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [file, exportName] = process.argv.slice(2);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const loaded = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : createRequire(import.meta.url)(file);
const importMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
if (typeof loaded[exportName] !== 'function') throw new Error(`${file} does not export a function "${exportName}"`);
console.log(`@@bench-result ${JSON.stringify({ importMs, importCpuMs: (cpu.user + cpu.system) / 1000 })}`);
process.exit(0);
