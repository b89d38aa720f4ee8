#!/usr/bin/env node
// `pnpm test`: every jest project (packages/*, services/*) in native ESM mode, then one plain
// summary line `N passed, N failed, N skipped` that CI reads. `--layer unit[,integration,e2e]` runs only
// those test layers (jest.config.mjs); every other argument goes to jest.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// One report per run: runs started side by side must not read each other's counts.
const report = join(root, 'test-results', `jest-${process.pid}.json`);
mkdirSync(dirname(report), { recursive: true });
rmSync(report, { force: true });

const args = process.argv.slice(2);
const layerAt = args.indexOf('--layer');
const layer = layerAt === -1 ? process.env.TEST_LAYER : args.splice(layerAt, 2)[1];

const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const run = spawnSync(process.execPath, [jest, '--json', `--outputFile=${report}`, ...args], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-vm-modules', '--no-warnings=ExperimentalWarning']
      .filter(Boolean)
      .join(' '),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(layer ? { TEST_LAYER: layer } : {}),
  },
});

if (args.includes('--listTests')) process.exit(run.status ?? 1);
let summary;
try {
  summary = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  console.error('jest wrote no report: it failed before running tests (see above).');
  process.exit(run.status || 1);
}
rmSync(report, { force: true });
const failed = summary.numFailedTests + summary.numRuntimeErrorTestSuites;
const skipped = summary.numPendingTests + summary.numTodoTests;
console.log(`${summary.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
