import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runProcess } from '../harness/childProcess.js';
import { formatSample, type Sample, summarize } from '../harness/statistics.js';
import type { Benchmark, BenchmarkOutcome } from '../harness/types.js';
import { notAvailable } from '../harness/types.js';

const ROOT_FILES = [
  'package.json',
  'pnpm-workspace.yaml',
  'pnpm-lock.yaml',
  'esbuild.config.cjs',
  'serverless.shared.yml',
  'tsconfig.base.json',
  'tsconfig.json',
];
const SKIP = new Set(['.serverless', '.serverless.lock', '.esbuild', '.local', 'test-results']);

/**
 * A copy of the repo's sources in `dest`, sharing the installed node_modules by symlink (the
 * workspace's own links are relative, so they resolve inside the copy). Builds run there, so the
 * benchmark never edits the working tree and never races a test that packages a service.
 */
function copyRepo(repoRoot: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(dest, 'node_modules'), 'dir');
  for (const file of ROOT_FILES) {
    if (existsSync(join(repoRoot, file))) cpSync(join(repoRoot, file), join(dest, file));
  }
  for (const folder of ['scripts', 'packages', 'services']) {
    cpSync(join(repoRoot, folder), join(dest, folder), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !SKIP.has(basename(source)),
    });
  }
}

function packagedServices(root: string): string[] {
  return readdirSync(join(root, 'services'))
    .filter((name) => existsSync(join(root, 'services', name, 'serverless.yml')))
    .sort();
}

async function timePackage(copy: string, services: string[]): Promise<number> {
  const result = await runProcess('pnpm', ['run', '--silent', 'package', ...services], {
    cwd: copy,
    env: { ...process.env, NODE_OPTIONS: '', npm_config_verify_deps_before_run: 'false' },
    timeoutMs: 600_000,
  });
  if (result.code !== 0) {
    const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-8).join(' | ');
    throw new Error(`pnpm package ${services.join(' ')} failed (exit ${result.code}): ${output.slice(0, 800)}`);
  }
  return result.wallMs / 1000;
}

export const buildTime: Benchmark = {
  name: 'build',
  title: '7. Build: `pnpm package` wall time',
  async run(context): Promise<BenchmarkOutcome> {
    const copy = join(context.workDir, 'repo-copy');
    copyRepo(context.repoRoot, copy);
    const services = packagedServices(copy);
    if (services.length === 0) return notAvailable('no service has a serverless.yml yet');
    const runs = context.quick ? 1 : 3;
    const notes: string[] = [];
    const pending = readdirSync(join(copy, 'services')).filter((s) => !services.includes(s));
    if (pending.length > 0) notes.push(`not packaged (no serverless.yml yet): ${pending.join(', ')}`);

    const full: number[] = [];
    for (let i = 0; i < runs; i++) {
      context.log(`  pnpm package (all ${services.length} services), run ${i + 1}/${runs}`);
      full.push(await timePackage(copy, []));
    }

    // One-line change: a comment appended to one handler of the copy, then that service repackaged.
    const service = services.includes('iot-realtime') ? 'iot-realtime' : (services[0] as string);
    const handlers = readdirSync(join(copy, 'services', service, 'src', 'handlers')).filter((f) => f.endsWith('.ts'));
    const edited = join(copy, 'services', service, 'src', 'handlers', handlers[0] as string);
    const single: number[] = [];
    for (let i = 0; i < runs; i++) {
      appendFileSync(edited, `// bench: one-line change ${i + 1}\n`);
      context.log(
        `  one-line change in ${service}/src/handlers/${basename(edited)}, pnpm package ${service}, run ${i + 1}/${runs}`,
      );
      single.push(await timePackage(copy, [service]));
    }
    const fullSample: Sample = summarize(full);
    const singleSample: Sample = summarize(single);
    return {
      status: 'ok',
      tables: [
        {
          columns: ['what', 'wall time s', 'runs'],
          rows: [
            [`pnpm package (all: ${services.join(', ')})`, formatSample(fullSample), String(runs)],
            [
              `pnpm package ${service} after a one-line change to src/handlers/${basename(edited)}`,
              formatSample(singleSample),
              String(runs),
            ],
          ],
        },
      ],
      targets: [],
      notes: [
        'Measured in a temporary copy of the repo (sources copied, node_modules shared by symlink), so the working tree is never modified. `pnpm package` = scripts/package-all.mjs: `osls package` per service, two services at a time.',
        'osls/serverless-esbuild keep no build cache between runs, so a one-line change costs a full package of that service.',
        ...notes,
      ],
      data: {
        services,
        fullSeconds: full,
        full: fullSample,
        changedService: service,
        singleSeconds: single,
        single: singleSample,
      },
    };
  },
};
