import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildContext, BuildOptions, Metafile } from 'esbuild';
import { projectRoot } from './ensurePackaged.js';
import { type PackagedFunction, readPackagedServiceState } from './packagedService.js';

/** One function's bundle from a rebuild, in a folder of its own (a module is imported once per URL). */
export interface RebuiltFunction {
  /** The function's key under `functions:` in serverless.yml. */
  key: string;
  /** The deployed function name. */
  name: string;
  /** Holds the bundle at the handler's path (`src/handlers/x.cjs`) and its source map. */
  folder: string;
}

/** What one `FunctionBundles.rebuild` did. */
export interface RebuildResult {
  rebuilt: RebuiltFunction[];
  /** Functions whose build failed, with esbuild's message: their previous bundle stays in use. */
  failed: Array<{ key: string; name: string; message: string }>;
  ms: number;
}

export class BundleConfigError extends Error {
  constructor(serviceDir: string, why: string) {
    super(`Cannot rebuild the functions of ${serviceDir} without osls: ${why}`);
    this.name = 'BundleConfigError';
  }
}

/** serverless-esbuild settings that esbuild itself does not take (serverless-esbuild strips them too). */
const SERVERLESS_ESBUILD_ONLY = [
  'config',
  'concurrency',
  'zipConcurrency',
  'packager',
  'packagerOptions',
  'installExtraArgs',
  'exclude',
  'nativeZip',
  'outputWorkFolder',
  'outputBuildFolder',
  'outputFileExtension',
  'keepOutputDirectory',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];
const ENTRY_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.tsx', '.jsx'];

type EsbuildConfig = Record<string, unknown> & { outputFileExtension?: string };
type ConfigModule = ((serverless: unknown) => EsbuildConfig) & {
  toEsbuildOptions?: (config: EsbuildConfig) => BuildOptions;
};

/**
 * The esbuild options `osls package` builds a service's functions with: the service's
 * `custom.esbuild.config` module (esbuild.config.cjs), called as serverless-esbuild calls it for
 * `package`, so a rebuilt bundle carries what the packaged one does (lazy built-ins, the
 * credential provider, the stack table and its hook).
 */
function packageBuildOptions(serviceDir: string, custom: Record<string, unknown>): BuildOptions {
  const settings = (custom.esbuild ?? {}) as { config?: string } & EsbuildConfig;
  let config: EsbuildConfig = settings;
  let toEsbuildOptions: ConfigModule['toEsbuildOptions'];
  if (typeof settings.config === 'string') {
    const file = resolve(serviceDir, settings.config);
    if (!existsSync(file))
      throw new BundleConfigError(serviceDir, `custom.esbuild.config names ${file}, which is missing`);
    const require = createRequire(file);
    // Read afresh: the file may have changed since the last rebuild set was made.
    delete require.cache[require.resolve(file)];
    const loaded = require(file) as ConfigModule | EsbuildConfig;
    const serverless = { processedInput: { commands: ['package'], options: {} }, service: { custom } };
    config = typeof loaded === 'function' ? loaded(serverless) : loaded;
    if (typeof loaded === 'function') toEsbuildOptions = loaded.toEsbuildOptions;
  }
  if (toEsbuildOptions) return toEsbuildOptions(config);
  const options: Record<string, unknown> = { ...config };
  for (const key of SERVERLESS_ESBUILD_ONLY) delete options[key];
  const extension = config.outputFileExtension ?? '.js';
  if (extension !== '.js') options.outExtension = { '.js': extension };
  return options as BuildOptions;
}

/** The source file of a handler string (`src/handlers/x.handler` → `src/handlers/x.ts`), relative to the service. */
function entryOf(serviceDir: string, fn: PackagedFunction): string {
  const base = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
  const extension = ENTRY_EXTENSIONS.find((ext) => existsSync(join(serviceDir, base + ext)));
  if (!extension) throw new BundleConfigError(serviceDir, `no source file for handler ${fn.handler}`);
  return base + extension;
}

interface EntryBuild {
  entry: string;
  functions: PackagedFunction[];
  context?: BuildContext;
  /** Absolute paths of the files the last successful build read; undefined before one succeeded. */
  inputs?: Set<string>;
  /** Rebuilds of one entry run one at a time. */
  queue: Promise<unknown>;
}

/**
 * Incremental rebuilds of a packaged service's functions, with the options `osls package` uses (one
 * esbuild context per handler file, kept between rebuilds), for hot reload. Each rebuild copies a
 * function's bundle into a new folder under `outDir`, so the next cold start imports it afresh.
 * Which functions a changed file affects comes from each build's metafile.
 *
 * @example
 * const bundles = FunctionBundles.create('services/my-service', '.local/hot/my-service');
 * await bundles.warm(); // first builds: which files each function reads
 * const { rebuilt, ms } = await bundles.rebuild(bundles.affectedBy('/abs/services/my-service/src/x.ts'));
 * await bundles.dispose();
 */
export class FunctionBundles {
  private readonly entries: EntryBuild[];
  private version = 0;
  private disposed = false;

  private constructor(
    readonly serviceDir: string,
    private readonly outDir: string,
    private readonly options: BuildOptions,
    private readonly esbuild: typeof import('esbuild'),
    functions: PackagedFunction[],
  ) {
    const byEntry = new Map<string, EntryBuild>();
    for (const fn of functions) {
      const entry = entryOf(serviceDir, fn);
      const build = byEntry.get(entry) ?? { entry, functions: [], queue: Promise.resolve() };
      build.functions.push(fn);
      byEntry.set(entry, build);
    }
    this.entries = [...byEntry.values()];
  }

  /**
   * For a service `osls package` has packaged (its serverless-state.json names the functions and the
   * esbuild settings). esbuild is loaded from where the project's serverless-esbuild finds it.
   */
  static create(serviceDir: string, outDir: string): FunctionBundles {
    const dir = resolve(serviceDir);
    const state = readPackagedServiceState(dir);
    const root = projectRoot(dir);
    const plugin = join(root, 'node_modules', 'serverless-esbuild', 'package.json');
    const esbuild = createRequire(existsSync(plugin) ? plugin : join(root, 'package.json'))(
      'esbuild',
    ) as typeof import('esbuild');
    rmSync(outDir, { recursive: true, force: true });
    return new FunctionBundles(dir, resolve(outDir), packageBuildOptions(dir, state.custom), esbuild, state.functions);
  }

  /** Every function key. */
  get functionKeys(): string[] {
    return this.entries.flatMap((e) => e.functions.map((f) => f.key));
  }

  /** Every file (absolute path) some function's last build read, vendor code in node_modules excluded. */
  get sourceFiles(): Set<string> {
    const files = new Set<string>();
    for (const e of this.entries) for (const f of e.inputs ?? []) if (!f.includes('/node_modules/')) files.add(f);
    return files;
  }

  /**
   * The keys of the functions whose bundle `file` (absolute) is part of. A function that never
   * built yet counts as affected by every file: its inputs are unknown.
   */
  affectedBy(file: string): string[] {
    return this.entries
      .filter((e) => e.inputs === undefined || e.inputs.has(file))
      .flatMap((e) => e.functions.map((f) => f.key));
  }

  /** Builds every function once (nothing is published): afterwards `affectedBy` knows their inputs. */
  async warm(): Promise<void> {
    for (const e of this.entries) {
      if (this.disposed) return;
      await this.buildEntry(e).catch(() => undefined);
    }
  }

  /** Rebuilds the named functions (each handler file once) and publishes their new bundles. */
  async rebuild(keys: string[]): Promise<RebuildResult> {
    const started = Date.now();
    const wanted = new Set(keys);
    const result: RebuildResult = { rebuilt: [], failed: [], ms: 0 };
    const version = ++this.version;
    const entries = this.entries.filter((e) => e.functions.some((f) => wanted.has(f.key)));
    await Promise.all(
      entries.map(async (e) => {
        const fns = e.functions.filter((f) => wanted.has(f.key));
        try {
          const output = await this.buildEntry(e);
          for (const fn of fns)
            result.rebuilt.push({ key: fn.key, name: fn.name, folder: this.publish(output, fn, version) });
        } catch (error) {
          const message = (error as Error).message;
          for (const fn of fns) result.failed.push({ key: fn.key, name: fn.name, message });
        }
      }),
    );
    result.ms = Date.now() - started;
    return result;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all(
      this.entries.map(async (e) => {
        await e.queue.catch(() => undefined);
        await e.context?.dispose();
        e.context = undefined;
      }),
    );
  }

  /** Runs one (queued) build of an entry; answers the folder esbuild wrote it to. */
  private buildEntry(e: EntryBuild): Promise<string> {
    const outdir = join(this.outDir, 'build', e.entry.replace(/\.[^.]+$/, ''));
    const run = e.queue.then(async () => {
      if (this.disposed) throw new Error(`${this.serviceDir}: rebuilds were disposed`);
      e.context ??= await this.esbuild.context({
        ...this.options,
        entryPoints: [e.entry],
        outdir,
        absWorkingDir: this.serviceDir,
        metafile: true,
        logLevel: 'silent',
      });
      const result = await e.context.rebuild();
      e.inputs = inputFiles(this.serviceDir, result.metafile as Metafile);
      return outdir;
    });
    e.queue = run.catch(() => undefined);
    return run.catch((error: unknown) => {
      const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> })
        .errors;
      if (!errors?.length) throw error;
      const first = errors[0] as { text: string; location?: { file: string; line: number } | null };
      const where = first.location ? `${first.location.file}:${first.location.line}: ` : '';
      throw new Error(`${where}${first.text}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
    });
  }

  /**
   * Copies a function's freshly built bundle and map into `<outDir>/<function>/<version>/`; the map's
   * sources become absolute file URLs (they were relative to the build folder).
   */
  private publish(outdir: string, fn: PackagedFunction, version: number): string {
    const base = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
    const folder = join(this.outDir, fn.name, String(version));
    const built = join(outdir, basename(base));
    const extension = String((this.options.outExtension as Record<string, string> | undefined)?.['.js'] ?? '.js');
    const target = join(folder, base + extension);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(built + extension, target);
    const map = `${built + extension}.map`;
    if (existsSync(map)) {
      const parsed = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[]; sourceRoot?: string };
      parsed.sources = parsed.sources.map((s) =>
        s.includes(':') && !isAbsolute(s) ? s : pathToFileURL(resolve(outdir, s)).href,
      );
      delete parsed.sourceRoot;
      writeFileSync(`${target}.map`, JSON.stringify(parsed));
    }
    return folder;
  }
}

/** The real files of a metafile (esbuild's own namespaces, such as plugin modules, left out), absolute. */
function inputFiles(cwd: string, metafile: Metafile): Set<string> {
  const files = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    if (/^[a-z-]+:/.test(input) && !isAbsolute(input)) continue;
    files.add(resolve(cwd, input));
  }
  return files;
}
