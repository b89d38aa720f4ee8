import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { assertValidServiceName, renameService } from './names.js';

/** Thrown when a fork cannot be made; nothing has been written when it is. */
export class NewServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NewServiceError';
  }
}

export interface NewServiceOptions {
  /** The monorepo root (holds services/, packages/, the shared config files). */
  repoRoot: string;
  /** The new service's name (kebab-case). */
  name: string;
  /** The service to copy. */
  from: string;
  /** Write a self-contained project into this folder instead of services/<name>. */
  standalone?: string;
  /** Run `pnpm install` afterwards (default true). */
  install?: boolean;
}

export interface NewServiceResult {
  dir: string;
  nextCommands: string[];
}

/** Build output, local data and installed dependencies never travel with a fork. */
const LEFT_OUT = new Set([
  'node_modules',
  '.serverless',
  '.esbuild',
  '.local',
  'test-results',
  '.serverless.lock',
  'coverage',
]);
const TEXT_FILES = new Set([
  '.ts',
  '.mts',
  '.cts',
  '.js',
  '.mjs',
  '.cjs',
  '.json',
  '.yml',
  '.yaml',
  '.md',
  '.sql',
  '.html',
  '.css',
  '.txt',
  '.sh',
  '',
]);

function listServices(repoRoot: string): string[] {
  const dir = join(repoRoot, 'services');
  return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'serverless.yml')));
}

function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (source) => !LEFT_OUT.has(basename(source)) });
}

/** Applies `rename` to every text file's content and to every file and folder name below `dir`. */
function renameTree(dir: string, rename: (text: string) => string): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const renamedPath = join(dir, rename(entry));
    if (renamedPath !== path) renameSync(path, renamedPath);
    if (statSync(renamedPath).isDirectory()) renameTree(renamedPath, rename);
    else if (TEXT_FILES.has(extname(entry))) {
      const text = readFileSync(renamedPath, 'utf8');
      const renamed = rename(text);
      if (renamed !== text) writeFileSync(renamedPath, renamed);
    }
  }
}

function readJson(path: string): Record<string, unknown> & {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
} {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function runPnpmInstall(cwd: string): void {
  // A new service adds a workspace importer: the lockfile must be updated, also where CI=true makes pnpm freeze it.
  const result = spawnSync('pnpm', ['install', '--no-frozen-lockfile'], { cwd, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    throw new NewServiceError(
      `The fork was written to ${cwd}, but \`pnpm install\` failed there (exit ${result.status}).`,
    );
  }
}

/** Validates everything before anything is written. */
function preflight(options: NewServiceOptions): { target: string } {
  assertValidServiceName(options.name);
  const services = listServices(options.repoRoot);
  if (!services.includes(options.from)) {
    throw new NewServiceError(`Unknown template "${options.from}". Templates: ${services.join(', ')}.`);
  }
  if (options.name === options.from) throw new NewServiceError(`The new name must differ from "${options.from}".`);
  const target = options.standalone ? resolve(options.standalone) : join(options.repoRoot, 'services', options.name);
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw new NewServiceError(
      `${relative(process.cwd(), target) || target} already exists: choose another name or folder.`,
    );
  }
  if (!options.standalone && services.includes(options.name)) {
    throw new NewServiceError(`A service named "${options.name}" already exists.`);
  }
  return { target };
}

/**
 * Forks a service: copies it under a new name into `services/<name>` (or, with `standalone`, into
 * a self-contained project) and renames the service, package, stack-scoped resource names,
 * authorizer and rule names, outputs and README title.
 *
 * @example
 * await newService({ repoRoot, name: 'shop-events', from: 'orders' });
 */
export function newService(options: NewServiceOptions): NewServiceResult {
  const { target } = preflight(options);
  const rename = (text: string): string => renameService(text, options.from, options.name);
  // Stage next to the target and move it into place at the end: a failure leaves nothing behind.
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const stage = mkdtempSync(join(parent, '.new-service-'));
  chmodSync(stage, 0o755); // mkdtemp makes it private; the fork is an ordinary folder

  try {
    copyTree(join(options.repoRoot, 'services', options.from), stage);
    renameTree(stage, rename);
    if (options.standalone) makeStandalone(options, stage);
    if (existsSync(target)) rmSync(target, { recursive: true });
    renameSync(stage, target);
  } catch (error) {
    rmSync(stage, { recursive: true, force: true });
    throw error;
  }
  if (options.install !== false) runPnpmInstall(options.standalone ? target : options.repoRoot);
  const fromHere = relative(process.cwd(), target);
  const shown = fromHere.startsWith('..') ? target : fromHere || '.';
  const nextCommands = options.standalone
    ? [`cd ${shown}`, 'pnpm test', 'pnpm exec osls package', 'pnpm exec osls deploy --stage dev']
    : [
        `pnpm test --selectProjects ${options.name}`,
        `cd ${shown} && pnpm exec osls package`,
        `cd ${shown} && pnpm exec osls deploy --stage dev`,
      ];
  return { dir: target, nextCommands };
}

/** The workspace packages (`@blueprints/*`) a package needs, transitively: name → folder under packages/. */
function vendoredPackages(
  repoRoot: string,
  manifest: ReturnType<typeof readJson>,
): Map<string, { folder: string; runtime: boolean }> {
  const folders = new Map(
    readdirSync(join(repoRoot, 'packages'))
      .filter((dir) => existsSync(join(repoRoot, 'packages', dir, 'package.json')))
      .map((dir) => [readJson(join(repoRoot, 'packages', dir, 'package.json')).name, dir]),
  );
  const found = new Map<string, { folder: string; runtime: boolean }>();
  const visit = (deps: Record<string, string> | undefined, runtime: boolean, owner: string): void => {
    for (const [name, range] of Object.entries(deps ?? {})) {
      if (!range.startsWith('workspace:')) continue;
      const seen = found.get(name);
      if (seen && (seen.runtime || !runtime)) continue;
      const folder = folders.get(name);
      if (!folder) throw new NewServiceError(`${owner} depends on ${name}, which is not a package of this repo`);
      found.set(name, { folder, runtime });
      visit(readJson(join(repoRoot, 'packages', folder, 'package.json')).dependencies, runtime, name);
    }
  };
  visit(manifest.dependencies, true, manifest.name);
  visit(manifest.devDependencies, false, manifest.name);
  return found;
}

/** Replaces each `key: ${file(../../serverless.shared.yml):section}` line with the section itself. */
export function inlineSharedFragment(serverlessYml: string, sharedYml: string): string {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of sharedYml.split('\n')) {
    const top = line.match(/^([A-Za-z][\w-]*):\s*$/);
    if (top) {
      current = [];
      sections.set(top[1]!, current);
    } else if (current && (line.startsWith('  ') || line.trim() === '')) current.push(line);
    else current = undefined;
  }
  return serverlessYml.replace(
    /^( *)([\w-]+): \$\{file\(\.\.\/\.\.\/serverless\.shared\.yml\):([\w-]+)\}[^\n]*$/gm,
    (_whole, indent: string, key: string, section: string) => {
      const body = sections.get(section);
      if (!body) throw new NewServiceError(`serverless.shared.yml has no section "${section}"`);
      const lines = body
        .filter((l, i) => l.trim() !== '' || i < body.length - 1)
        .map((l) => (l.trim() === '' ? '' : `${indent}${l}`));
      while (lines.at(-1) === '') lines.pop();
      return `${indent}${key}:\n${lines.join('\n')}`.replaceAll('../../esbuild.config.cjs', './esbuild.config.cjs');
    },
  );
}

/** Turns a staged copy of a service into a project that installs, tests and packages on its own. */
function makeStandalone(options: NewServiceOptions, stage: string): void {
  const root = options.repoRoot;
  const rootManifest = readJson(join(root, 'package.json'));
  const manifest = readJson(join(stage, 'package.json'));
  const vendored = vendoredPackages(root, manifest);

  // @blueprints/* packages travel as copied sources in vendor/ (linked, so they stay readable and
  // editable with no build step); their third-party dependencies are installed at the project root.
  const link = (deps: Record<string, string> | undefined, prefix: string): Record<string, string> =>
    Object.fromEntries(
      Object.entries(deps ?? {}).map(([name, range]) => {
        const vendor = vendored.get(name);
        return [name, vendor ? `link:${prefix}${vendor.folder}` : range];
      }),
    );
  // Dependencies of vendored packages the functions use are runtime dependencies; those of
  // test-only packages (the local stand-ins) are dev dependencies.
  const vendorDeps: Record<string, string> = {};
  const vendorDevDeps: Record<string, string> = {};
  for (const { folder, runtime } of vendored.values()) {
    const from = join(root, 'packages', folder);
    const to = join(stage, 'vendor', folder);
    const skip = new Set([join(from, 'test'), join(from, 'jest.config.mjs')]);
    cpSync(from, to, { recursive: true, filter: (s) => !LEFT_OUT.has(basename(s)) && !skip.has(s) });
    const m = readJson(join(to, 'package.json'));
    for (const [name, range] of Object.entries(m.dependencies ?? {})) {
      // A vendored package's own @blueprints/* dependencies resolve from the project root too.
      const vendor = vendored.get(name);
      (runtime ? vendorDeps : vendorDevDeps)[name] = vendor ? `link:./vendor/${vendor.folder}` : range;
    }
    m.dependencies = link(m.dependencies, '../');
    delete m.devDependencies;
    delete m.scripts;
    writeJson(join(to, 'package.json'), m);
  }

  const dependencies = { ...vendorDeps, ...link(manifest.dependencies, './vendor/') };
  for (const name of Object.keys(vendorDeps)) delete vendorDevDeps[name];
  // The root's tools, without its workspace packages (`pnpm dev`'s @blueprints/dev): a fork has no `pnpm dev`.
  const rootTools = Object.fromEntries(
    Object.entries((rootManifest.devDependencies ?? {}) as Record<string, string>).filter(
      ([, range]) => !range.startsWith('workspace:'),
    ),
  );
  const devDependencies = {
    ...rootTools,
    ...vendorDevDeps,
    ...link(manifest.devDependencies, './vendor/'),
  };
  writeJson(join(stage, 'package.json'), {
    name: manifest.name,
    private: true,
    type: 'module',
    packageManager: rootManifest.packageManager,
    engines: rootManifest.engines,
    scripts: {
      test: 'node scripts/test.mjs',
      typecheck: 'tsc -p tsconfig.json',
      lint: 'biome check .',
      package: 'osls package',
      deploy: 'osls deploy',
      invoke: 'osls invoke',
      'invoke:local': 'osls invoke local',
    },
    dependencies: Object.fromEntries(Object.entries(dependencies).sort()),
    devDependencies: Object.fromEntries(Object.entries(devDependencies).sort()),
  });

  // The shared build settings, inlined or copied.
  const yml = readFileSync(join(stage, 'serverless.yml'), 'utf8');
  writeFileSync(
    join(stage, 'serverless.yml'),
    inlineSharedFragment(yml, readFileSync(join(root, 'serverless.shared.yml'), 'utf8')),
  );
  for (const file of ['esbuild.config.cjs', 'jest.preset.mjs', 'biome.json', '.gitignore', 'scripts/test.mjs']) {
    cpSync(join(root, file), join(stage, file), { recursive: true });
  }
  const workspace = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').replace(
    /^packages:\n(?:\s+-.*\n)+\n?/m,
    '',
  );
  writeFileSync(join(stage, 'pnpm-workspace.yaml'), workspace);
  const jestConfig = readFileSync(join(stage, 'jest.config.mjs'), 'utf8').replace(
    '../../jest.preset.mjs',
    './jest.preset.mjs',
  );
  writeFileSync(join(stage, 'jest.config.mjs'), jestConfig);
  const base = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
  writeJson(join(stage, 'tsconfig.json'), { ...base, include: ['src', 'test', 'scripts', 'vendor/*/src'] });

  const readmePath = join(stage, 'README.md');
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : `# ${options.from}\n`;
  const [title, ...rest] = readme.split('\n');
  writeFileSync(
    readmePath,
    [
      title,
      '',
      `> A standalone project forked from the blueprints service \`${options.from}\`. Install with`,
      '> `npm install -g pnpm@' +
        String(rootManifest.packageManager).split('@')[1] +
        ' && pnpm install`, then `pnpm test`,',
      '> `pnpm exec osls package`, `pnpm exec osls deploy`. The shared blueprints libraries it uses are copied',
      '> into `vendor/` as sources; the build settings are inlined in `serverless.yml` and `esbuild.config.cjs`.',
      ...rest,
    ]
      .join('\n')
      .replaceAll('../../', './'),
  );
}
