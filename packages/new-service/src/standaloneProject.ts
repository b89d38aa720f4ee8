import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { isBuildOutput } from '@blueprints/packaging';
import { NewServiceError } from './errors.js';
import {
  codeFilesUnder,
  packagesImportedBy,
  packagesImportedUnder,
  pluginsOf,
  typesPackageOf,
} from './importedPackages.js';
import { inlineSharedFragment } from './sharedFragment.js';
import { repositoryLinksOf, standaloneReadme } from './standaloneReadme.js';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  [key: string]: unknown;
}

const LOCAL_ONLY = new Set(['node_modules', '.local', 'test-results', 'coverage']);

/**
 * Build output and packaging state (every `.serverless*` folder and lock, `.esbuild`), local data and
 * installed dependencies never travel with a fork.
 */
export function isLeftOut(name: string): boolean {
  return LOCAL_ONLY.has(name) || isBuildOutput(name);
}

/** Files of the monorepo root a standalone project needs as they are. */
const ROOT_FILES = [
  'esbuild.config.cjs',
  'jest.preset.mjs',
  'biome.json',
  '.gitignore',
  'scripts/test.mjs',
  'scripts/dev.ts',
];

/**
 * What the project's own scripts and config files run (not found as imports): its package.json
 * scripts (`tsc`, `biome`, `osls`, `node --import tsx`, jest through scripts/test.mjs), the jest
 * preset's transform (`@swc/jest` on `@swc/core`), tsconfig's `types`, and the esbuild version
 * serverless-esbuild builds with. Versions come from the monorepo root.
 */
const TOOLS = [
  'typescript',
  '@biomejs/biome',
  'osls',
  'tsx',
  'jest',
  '@swc/jest',
  '@swc/core',
  '@types/jest',
  '@types/node',
  'esbuild',
];

/** The scripts of a standalone project: the monorepo root's, for one service at the root. */
const SCRIPTS: Record<string, string> = {
  test: 'node scripts/test.mjs',
  typecheck: 'tsc -p tsconfig.json --noEmit',
  lint: 'biome check .',
  format: 'biome format --write .',
  dev: 'node --import tsx scripts/dev.ts',
  package: 'osls package',
  deploy: 'osls deploy',
  invoke: 'osls invoke',
  'invoke:local': 'osls invoke local',
};

function readManifest(path: string): Manifest {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

const sorted = (record: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/** The workspace packages of the monorepo: package name → folder under packages/. */
function workspacePackages(repoRoot: string): Map<string, { folder: string; manifest: Manifest }> {
  const dir = join(repoRoot, 'packages');
  return new Map(
    readdirSync(dir)
      .filter((folder) => existsSync(join(dir, folder, 'package.json')))
      .map((folder) => {
        const manifest = readManifest(join(dir, folder, 'package.json'));
        return [manifest.name, { folder, manifest }];
      }),
  );
}

/** Where a package's version range is declared: the service first, then the workspace packages, then the root. */
function rangeFinder(manifests: Manifest[]): (name: string) => string | undefined {
  return (name) => {
    for (const m of manifests) {
      const range = m.dependencies?.[name] ?? m.devDependencies?.[name];
      if (range && !range.startsWith('workspace:')) return range;
    }
    return undefined;
  };
}

interface StandaloneDependencies {
  vendored: Map<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/**
 * Follows the imports: the service's `src/` is what deploys (runtime dependencies), everything else
 * (tests, scripts, serverless.yml plugins) is for development. A `@blueprints/*` import is vendored
 * and its own imports followed the same way; any other package gets the range the monorepo declares
 * for it, plus its `@types/*` package where the monorepo has one.
 */
function standaloneDependencies(repoRoot: string, stage: string, service: Manifest): StandaloneDependencies {
  const workspace = workspacePackages(repoRoot);
  const rangeOf = rangeFinder([
    service,
    ...[...workspace.values()].map((p) => p.manifest),
    readManifest(join(repoRoot, 'package.json')),
  ]);
  const vendored = new Map<string, string>();
  const runtime = new Set<string>();
  const development = new Set<string>();
  const queue: Array<[name: string, isRuntime: boolean]> = [];
  const seen = new Set<string>();
  const add = (name: string, isRuntime: boolean): void => {
    const key = `${name} ${isRuntime}`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push([name, isRuntime]);
  };
  const inStage = (path: string): string => relative(stage, path);
  for (const name of packagesImportedUnder(join(stage, 'src'))) add(name, true);
  const devFiles = codeFilesUnder(stage, (path) => inStage(path) === 'src' || inStage(path) === 'vendor');
  for (const file of devFiles) for (const name of packagesImportedBy(readFileSync(file, 'utf8'))) add(name, false);
  for (const plugin of pluginsOf(readFileSync(join(stage, 'serverless.yml'), 'utf8'))) add(plugin, false);
  for (const tool of TOOLS) add(tool, false);

  while (queue.length > 0) {
    const [name, isRuntime] = queue.shift()!;
    const workspacePackage = workspace.get(name);
    if (workspacePackage) {
      vendored.set(name, workspacePackage.folder);
      if (isRuntime) runtime.add(name);
      const dir = join(repoRoot, 'packages', workspacePackage.folder);
      const notShipped = (path: string) => ['test', 'jest.config.mjs'].includes(relative(dir, path));
      for (const imported of packagesImportedUnder(dir, notShipped)) add(imported, isRuntime);
      continue;
    }
    if (name.startsWith('@blueprints/')) {
      throw new NewServiceError(`${name} is imported, but is not a package of this repo`);
    }
    const types = typesPackageOf(name);
    if (rangeOf(name)) (isRuntime ? runtime : development).add(name);
    if (rangeOf(types)) development.add(types);
  }
  const dependencies: Record<string, string> = {};
  const devDependencies: Record<string, string> = {};
  // Vendored packages are linked, not installed: their sources stay readable and editable in vendor/.
  const rangeOrLink = (name: string): string =>
    vendored.has(name) ? `link:./vendor/${vendored.get(name)}` : rangeOf(name)!;
  for (const name of runtime) dependencies[name] = rangeOrLink(name);
  for (const name of [...development, ...vendored.keys()]) {
    if (!runtime.has(name)) devDependencies[name] = rangeOrLink(name);
  }
  return { vendored, dependencies: sorted(dependencies), devDependencies: sorted(devDependencies) };
}

/** Copies each vendored package's sources (no tests), its manifest reduced to what resolving it needs. */
function copyVendored(repoRoot: string, stage: string, vendored: Map<string, string>): void {
  for (const folder of vendored.values()) {
    const from = join(repoRoot, 'packages', folder);
    const to = join(stage, 'vendor', folder);
    const skip = new Set([join(from, 'test'), join(from, 'jest.config.mjs')]);
    cpSync(from, to, { recursive: true, filter: (s) => !isLeftOut(basename(s)) && !skip.has(s) });
    // Their third-party dependencies are the project's: one list, in the root package.json.
    const { dependencies: _d, devDependencies: _dd, scripts: _s, ...manifest } = readManifest(join(to, 'package.json'));
    writeJson(join(to, 'package.json'), manifest);
  }
}

/** Copies the docs a README links into the monorepo (`../../docs/x.md`), so the fork keeps them. */
function copyLinkedDocs(repoRoot: string, stage: string, readme: string): string[] {
  const copied: string[] = [];
  for (const path of repositoryLinksOf(readme)) {
    if (path.startsWith('packages/') || !existsSync(join(repoRoot, path))) continue;
    mkdirSync(dirname(join(stage, path)), { recursive: true });
    cpSync(join(repoRoot, path), join(stage, path));
    copied.push(path);
  }
  return copied;
}

/**
 * Turns a staged, renamed copy of a service into a project that installs, typechecks, lints, tests,
 * packages and runs `pnpm dev` on its own, with the service at its root.
 */
export function makeStandalone(repoRoot: string, stage: string, from: string): void {
  const rootManifest = readManifest(join(repoRoot, 'package.json'));
  const service = readManifest(join(stage, 'package.json'));

  const yml = readFileSync(join(stage, 'serverless.yml'), 'utf8');
  writeFileSync(
    join(stage, 'serverless.yml'),
    inlineSharedFragment(yml, readFileSync(join(repoRoot, 'serverless.shared.yml'), 'utf8')),
  );
  for (const file of ROOT_FILES) cpSync(join(repoRoot, file), join(stage, file), { recursive: true });
  const jestConfig = readFileSync(join(stage, 'jest.config.mjs'), 'utf8').replace(
    '../../jest.preset.mjs',
    './jest.preset.mjs',
  );
  writeFileSync(join(stage, 'jest.config.mjs'), jestConfig);

  const { vendored, dependencies, devDependencies } = standaloneDependencies(repoRoot, stage, service);
  copyVendored(repoRoot, stage, vendored);
  // The service's own scripts (e.g. `db`, `web`) beside the project's; `test` runs the project's jest.
  const { test: _test, ...serviceScripts } = service.scripts ?? {};
  writeJson(join(stage, 'package.json'), {
    name: service.name,
    private: true,
    type: 'module',
    packageManager: rootManifest.packageManager,
    engines: rootManifest.engines,
    scripts: { ...serviceScripts, ...SCRIPTS },
    dependencies,
    devDependencies,
  });

  const workspace = readFileSync(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8').replace(
    /^packages:\n(?:\s+-.*\n)+\n?/m,
    '',
  );
  writeFileSync(join(stage, 'pnpm-workspace.yaml'), workspace);
  const base = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.base.json'), 'utf8'));
  // What the monorepo typechecks of a service and its packages, plus the `pnpm dev` entry point.
  writeJson(join(stage, 'tsconfig.json'), { ...base, include: ['src', 'test', 'scripts/dev.ts', 'vendor/*/src'] });

  const readmePath = join(stage, 'README.md');
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : `# ${service.name}\n`;
  const copiedDocs = copyLinkedDocs(repoRoot, stage, readme);
  writeFileSync(
    readmePath,
    standaloneReadme(readme, {
      name: service.name,
      from,
      pnpmVersion: String(rootManifest.packageManager).split('@')[1] ?? 'latest',
      vendored: [...vendored.values()],
      copiedDocs,
    }),
  );
}
