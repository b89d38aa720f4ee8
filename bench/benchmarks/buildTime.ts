import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runProcess } from '../harness/childProcess.js';
import { formatRatio, formatSample, type Sample, summarize } from '../harness/statistics.js';
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
/**
 * The build as it was before issue 14 (ESM output, vendor trimming in a per-file onLoad, the osls
 * plugin for .mjs): the commit the work started from. Its versions of these files replace the
 * current ones in the "before" copy.
 */
const BEFORE_COMMIT = 'beb995e';
const BUILD_FILES = ['esbuild.config.cjs', 'serverless.shared.yml', 'packages/osls-plugin/index.cjs'];
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

/** Puts the build files of {@link BEFORE_COMMIT} into a copy of the repo. */
function useBuildOf(repoRoot: string, copy: string, commit: string): void {
  for (const file of BUILD_FILES) {
    const content = execFileSync('git', ['show', `${commit}:${file}`], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    writeFileSync(join(copy, file), content);
  }
}

export const buildTime: Benchmark = {
  name: 'build',
  title: '7. Build: `pnpm package` wall time, before and after issue 14',
  async run(context): Promise<BenchmarkOutcome> {
    const copies = { before: join(context.workDir, 'repo-before'), after: join(context.workDir, 'repo-after') };
    copyRepo(context.repoRoot, copies.after);
    copyRepo(context.repoRoot, copies.before);
    try {
      useBuildOf(context.repoRoot, copies.before, BEFORE_COMMIT);
    } catch (error) {
      return notAvailable(
        `cannot read the build files of ${BEFORE_COMMIT}: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    const services = packagedServices(copies.after);
    if (services.length === 0) return notAvailable('no service has a serverless.yml yet');
    const runs = 1;
    const notes: string[] = [];
    const pending = readdirSync(join(copies.after, 'services')).filter((s) => !services.includes(s));
    if (pending.length > 0) notes.push(`not packaged (no serverless.yml yet): ${pending.join(', ')}`);
    const sides = ['before', 'after'] as const;

    // One full run per side: a full package of every service takes minutes on this machine.
    const full = { before: [] as number[], after: [] as number[] };
    for (let i = 0; i < 1; i++) {
      for (const side of sides) {
        context.log(`  ${side}: pnpm package (all ${services.length} services), run ${i + 1}/${runs}`);
        full[side].push(await timePackage(copies[side], []));
      }
    }

    // One-line change: a comment appended to one handler of each copy, then that service repackaged.
    const service = services.includes('iot-realtime') ? 'iot-realtime' : (services[0] as string);
    const handlerDir = join('services', service, 'src', 'handlers');
    const handler = readdirSync(join(copies.after, handlerDir)).filter((f) => f.endsWith('.ts'))[0] as string;
    const single = { before: [] as number[], after: [] as number[] };
    for (let i = 0; i < runs; i++) {
      for (const side of sides) {
        appendFileSync(join(copies[side], handlerDir, handler), `// bench: one-line change ${i + 1}\n`);
        context.log(
          `  ${side}: one-line change in ${service}/src/handlers/${handler}, pnpm package ${service}, run ${i + 1}/${runs}`,
        );
        single[side].push(await timePackage(copies[side], [service]));
      }
    }
    const samples = {
      full: { before: summarize(full.before), after: summarize(full.after) },
      single: { before: summarize(single.before), after: summarize(single.after) },
    };
    const row = (what: string, s: { before: Sample; after: Sample }) => [
      what,
      formatSample(s.before),
      formatSample(s.after),
      formatRatio(s.after.median / s.before.median),
      String(s.after.n),
    ];
    return {
      status: 'ok',
      tables: [
        {
          columns: ['what', `before (${BEFORE_COMMIT}) s`, 'after s', 'after / before', 'runs each'],
          rows: [
            row(`pnpm package (all: ${services.join(', ')})`, samples.full),
            row(`pnpm package ${service} after a one-line change to src/handlers/${handler}`, samples.single),
          ],
        },
      ],
      targets: [],
      notes: [
        `Measured in two temporary copies of the repo (sources copied, node_modules shared by symlink), so the working tree is never modified. "before" has ${BUILD_FILES.join(', ')} as of ${BEFORE_COMMIT} (ESM output, vendor trimming in a per-file esbuild onLoad); "after" the current ones (trimming once at the end of the build, plus the stack table). Runs alternate before/after. \`pnpm package\` = scripts/package-all.mjs: \`osls package\` per service, two services at a time.`,
        "osls/serverless-esbuild keep no build cache between runs, so a one-line change costs a full package of that service. What changed for repeated packaging is elsewhere: `ensurePackaged` (tests, `pnpm dev`, this bench) now repackages when the content of a service's inputs changes, not when a modification time does.",
        ...notes,
      ],
      data: { services, before: BEFORE_COMMIT, full, single, samples, changedService: service },
    };
  },
};
