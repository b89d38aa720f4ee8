#!/usr/bin/env node
// `pnpm package`: runs `osls package` in every service (offline, no AWS credentials needed) and
// reports each function's zip size and source-map size. `pnpm package <service> ...` packages some.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const osls = join(root, 'node_modules', 'osls', 'bin', 'serverless.js');
const all = readdirSync(join(root, 'services')).filter((name) =>
  existsSync(join(root, 'services', name, 'serverless.yml')),
);
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown service(s): ${unknown.join(', ')}. Services: ${all.join(', ')}`);
  process.exit(2);
}
const services = wanted.length > 0 ? wanted : all;

/** How often a running `osls package` is reported, so the terminal never sits silent for a minute. */
const HEARTBEAT_MS = 10_000;

function packageService(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    console.log(`packaging ${name}…`);
    const beat = setInterval(() => console.log(`still packaging ${name} (${elapsed()})…`), HEARTBEAT_MS);
    const child = spawn(process.execPath, [osls, 'package'], {
      cwd: join(root, 'services', name),
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', SLS_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('close', (code) => {
      clearInterval(beat);
      console.log(
        code === 0 ? `packaged ${name} in ${elapsed()}` : `osls package failed for ${name} after ${elapsed()}`,
      );
      resolve({ name, code, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** Size of each entry of a zip, read with `unzip -l` (present on every CI image; falls back to the zip size only). */
function zipEntries(file) {
  try {
    const listing = execFileSync('unzip', ['-l', file], { encoding: 'utf8' });
    return listing
      .split('\n')
      .map((line) => line.trim().match(/^(\d+)\s+\S+\s+\S+\s+(.+)$/))
      .filter(Boolean)
      .map(([, size, path]) => ({ path, size: Number(size) }));
  } catch {
    return [];
  }
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

// Two at a time: this machine has 2 cores and esbuild is parallel already.
const results = [];
const queue = [...services];
await Promise.all(
  [0, 1].map(async () => {
    for (let name = queue.shift(); name; name = queue.shift()) results.push(await packageService(name));
  }),
);

let failed = 0;
const rows = [];
for (const { name, code, output, seconds } of results.sort((a, b) => a.name.localeCompare(b.name))) {
  if (code !== 0) {
    failed += 1;
    console.error(`\n✗ ${name}: osls package failed (exit ${code})\n${output}`);
    continue;
  }
  const dir = join(root, 'services', name, '.serverless');
  for (const zip of readdirSync(dir).filter((f) => f.endsWith('.zip'))) {
    const entries = zipEntries(join(dir, zip));
    const bundle = entries.filter((e) => /\.[cm]js$/.test(e.path)).reduce((s, e) => s + e.size, 0);
    const map = entries.filter((e) => e.path.endsWith('.map')).reduce((s, e) => s + e.size, 0);
    rows.push([
      name,
      zip.replace(/\.zip$/, ''),
      kb(statSync(join(dir, zip)).size),
      kb(bundle),
      kb(map),
      `${seconds.toFixed(1)} s`,
    ]);
  }
}

console.log('');
const header = ['service', 'function', 'zip', 'bundle', 'source map', 'package time'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
if (failed > 0) {
  console.error(`\n${failed} service(s) failed to package`);
  process.exit(1);
}
