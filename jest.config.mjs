// Every workspace package and service with its own jest.config.mjs is one jest project per test layer:
// - unit: no server, no child process (`pnpm test:unit`, the fast layer);
// - integration: against the local stand-ins (every file a package lists in no other layer);
// - e2e: a browser, `pnpm dev`, forks, `osls package`.
// A package's jest.config.mjs lists its unit and e2e files in `export const layers`. The layers' projects
// keep the package's name, so `--selectProjects <name>` still selects all of a package's tests.
// `TEST_LAYER=unit,integration` (set by `scripts/test.mjs --layer`) keeps only those layers.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const LAYERS = ['unit', 'integration', 'e2e'];
const selected = (process.env.TEST_LAYER ?? LAYERS.join(',')).split(',').filter(Boolean);
const unknown = selected.filter((layer) => !LAYERS.includes(layer));
if (unknown.length > 0) throw new Error(`Unknown test layer ${unknown.join(', ')}: use ${LAYERS.join(', ')}`);

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One project per selected layer of the package at `dir`. */
function layerProjects(dir, config, layers) {
  const listed = { unit: layers.unit ?? [], e2e: layers.e2e ?? [] };
  return selected.flatMap((layer) => {
    if (layer === 'integration') {
      const others = [...listed.unit, ...listed.e2e].map((file) => `${escapeRegExp(join(dir, 'test', file))}$`);
      return [{ ...config, rootDir: dir, testPathIgnorePatterns: ['/node_modules/', ...others] }];
    }
    if (listed[layer].length === 0) return [];
    return [{ ...config, rootDir: dir, testMatch: listed[layer].map((file) => `<rootDir>/test/${file}`) }];
  });
}

const projects = [];
for (const group of ['packages', 'services']) {
  for (const name of readdirSync(join(root, group)).sort()) {
    const dir = join(root, group, name);
    const file = join(dir, 'jest.config.mjs');
    if (!existsSync(file)) continue;
    const { default: config, layers = {} } = await import(pathToFileURL(file).href);
    projects.push(...layerProjects(dir, config, layers));
  }
}

// Most suites wait on servers and child processes rather than the CPU: two workers on two cores.
// testTimeout is a global option: jest ignores it in a project's config when it runs several projects,
// so the preset's value is repeated here (a ceiling, not a speed bar).
// workerIdleMemoryLimit: in native ESM mode (vm modules on Node 20) every test file leaves its module graph
// in the worker (~4 MB a file after GC, ~240 MB of heap per worker by the end of the unit layer). A worker
// holding that much needs longer than jest's default 500 ms grace period to tear down after its last test on
// a busy 2-core machine (measured 250-550 ms with no handle open: the event loop is empty 2 ms after the
// worker is told to end), and jest then reports it as "failed to exit gracefully".
// Recycling a worker whose heap passed 100 MB after a test file keeps every worker small, and
// workerGracefulExitTimeout (jest >= 30.4) gives the teardown a ceiling fit for a loaded machine: a worker
// that really leaks a handle never exits and is still reported, 5 s later instead of 0.5 s.
export default {
  projects,
  maxWorkers: 2,
  testTimeout: 30000,
  workerIdleMemoryLimit: '100MB',
  workerGracefulExitTimeout: 5000,
};
