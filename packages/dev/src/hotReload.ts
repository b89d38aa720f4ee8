import { createHash } from 'node:crypto';
import { existsSync, type FSWatcher, readFileSync, watch } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { LocalStack } from '@blueprints/local-stack';
import { FunctionBundles, readPackagedServiceState } from '@blueprints/packaging';

/** Path segments whose files are never sources: outputs, installed packages, local data. */
const IGNORED_SEGMENT = /(^|\/)(node_modules|\.serverless[^/]*|\.esbuild|\.local|\.git|coverage|test-results)(\/|$)/;
/** Quiet time after the last file event before a batch of changes is handled (editors save in bursts). */
const DEBOUNCE_MS = 75;

/**
 * What hot reload changes in the running environment: the functions' bundles, and one service's
 * wiring (`LocalStack`'s `reloadFunctions` and `rewireService`).
 */
export type HotReloadTarget = Pick<LocalStack, 'reloadFunctions' | 'rewireService'>;

export interface HotReloadOptions {
  /** Services by folder name and directory. */
  services: Array<{ name: string; dir: string }>;
  /** Where rebuilt bundles go (`<dataDir>/hot/<service>/…`). */
  dataDir: string;
  target: HotReloadTarget;
  /** One line per reload: what was rebuilt or rewired, and how long it took. */
  onLine: (line: string) => void;
}

interface WatchedService {
  name: string;
  dir: string;
  bundles: FunctionBundles;
  /** serverless.yml, the files it includes with `${file(...)}`, and the esbuild config. */
  configFiles: Set<string>;
  /** Changes are handled one batch at a time per service. */
  queue: Promise<void>;
  /** The first builds after a rewire (not awaited by the queue: edits meanwhile rebuild every function). */
  warming?: Promise<void>;
}

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function contentHash(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined; // deleted (or a folder)
  }
}

/** serverless.yml and what shapes its package besides the sources: `${file(...)}` includes, the esbuild config. */
function configFilesOf(dir: string): Set<string> {
  const yml = join(dir, 'serverless.yml');
  const files = new Set([yml]);
  const text = existsSync(yml) ? readFileSync(yml, 'utf8') : '';
  for (const [, path] of text.matchAll(/\$\{file\(\s*['"]?([^)'"]+?)['"]?\s*\)/g))
    files.add(resolve(dir, path as string));
  const esbuild = (readPackagedServiceState(dir).custom.esbuild ?? {}) as { config?: unknown };
  if (typeof esbuild.config === 'string') files.add(resolve(dir, esbuild.config));
  return files;
}

const functionList = (service: string, keys: string[]) => keys.map((key) => `${service}/${key}`).join(', ');

/**
 * Hot reload for `pnpm dev`: watches each service's folder, the workspace packages its functions
 * bundle and its configuration files (`fs.watch`, recursive, debounced). A save that changes a
 * file's content (a `touch` or an identical rewrite does not) rebuilds, incrementally and with the
 * packaged build's options, only the functions whose bundle reads that file (from esbuild's
 * metafile); their next invocation is a cold start of the new bundle. A change to serverless.yml or
 * a file it includes repackages and rewires that service alone. Each reload prints one line.
 *
 * @example
 * const hot = HotReload.start({ services: stack.services, dataDir, target: stack, onLine: console.log });
 * // … edit src/handlers/publish.ts: "rebuilt my-service/publish in 180 ms"
 * await hot.close();
 */
export class HotReload {
  private readonly watchers = new Map<string, FSWatcher>();
  /** Folders watched with their subfolders. */
  private readonly recursive = new Set<string>();
  private readonly hashes = new Map<string, string | undefined>();
  private readonly pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  private closed = false;
  /** Resolves once every service's functions were built once (their inputs known). */
  readonly ready: Promise<void>;

  private constructor(
    private readonly services: WatchedService[],
    private readonly options: HotReloadOptions,
  ) {
    for (const s of services) this.watchDir(s.dir, true);
    for (const s of services) for (const file of s.configFiles) this.watchDir(dirname(file), false);
    this.ready = this.warm();
  }

  /**
   * Starts watching at once; the first builds (to learn each function's inputs) run in the
   * background. A service that cannot be rebuilt without osls (no source file for a handler, a
   * missing esbuild config) is left out, with a line saying why.
   */
  static start(options: HotReloadOptions): HotReload {
    const services: WatchedService[] = [];
    for (const { name, dir } of options.services) {
      try {
        services.push({
          name,
          dir: resolve(dir),
          bundles: FunctionBundles.create(dir, join(options.dataDir, 'hot', name)),
          configFiles: configFilesOf(resolve(dir)),
          queue: Promise.resolve(),
        });
      } catch (error) {
        options.onLine(`hot reload is off for ${name}: ${(error as Error).message}`);
      }
    }
    return new HotReload(services, options);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await Promise.all(this.services.map((s) => s.queue));
    await Promise.all(this.services.map((s) => s.bundles.dispose()));
    await Promise.all(this.services.map((s) => s.warming));
    await this.ready.catch(() => undefined);
  }

  /** Builds each service's functions once, one service at a time (CPU is shared with the rest of pnpm dev). */
  private async warm(): Promise<void> {
    for (const s of this.services) await this.warmService(s);
    if (this.closed) return;
    const functions = this.services.reduce((n, s) => n + s.bundles.functionKeys.length, 0);
    this.options.onLine(
      `hot reload: watching the sources of ${functions} function(s) in ${this.services.length} service(s)`,
    );
  }

  private async warmService(s: WatchedService): Promise<void> {
    if (this.closed) return;
    await s.bundles.warm();
    for (const file of [...s.bundles.sourceFiles, ...s.configFiles]) {
      // A file with a change waiting is compared with its content before the build, at the flush.
      if (!this.hashes.has(file) && !this.pending.has(file)) this.hashes.set(file, contentHash(file));
      if (isInside(s.dir, file) || s.configFiles.has(file)) continue;
      // Workspace packages a function bundles are watched too: their folder, recursively, unless it
      // is the project itself (a source file outside any package: its own folder only).
      const folder = packageFolderOf(file);
      const project = this.services.some((other) => isInside(folder, other.dir));
      this.watchDir(project ? dirname(file) : folder, !project);
    }
  }

  private watchDir(dir: string, recursive: boolean): void {
    if (this.closed || this.recursive.has(dir) || [...this.recursive].some((d) => isInside(d, dir))) return;
    if (this.watchers.has(dir) && !recursive) return;
    this.watchers.get(dir)?.close();
    try {
      const watcher = watch(dir, { recursive }, (_event, name) => {
        if (name) this.changed(join(dir, name.toString()));
      });
      watcher.on('error', () => undefined);
      this.watchers.set(dir, watcher);
      if (recursive) this.recursive.add(dir);
    } catch {
      // A folder that vanished: nothing in it can change.
    }
  }

  private changed(file: string): void {
    if (this.closed || IGNORED_SEGMENT.test(file)) return;
    this.pending.add(file);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  /** Handles a batch: files whose content really changed, grouped by the service they affect. */
  private flush(): void {
    const files = [...this.pending].filter((file) => {
      const hash = contentHash(file);
      if (this.hashes.get(file) === hash && this.hashes.has(file)) return false;
      this.hashes.set(file, hash);
      return true;
    });
    this.pending.clear();
    for (const s of this.services) {
      const config = files.some((f) => s.configFiles.has(f));
      const keys = new Set(config ? [] : files.flatMap((f) => s.bundles.affectedBy(f)));
      if (!config && keys.size === 0) continue;
      s.queue = config
        ? s.queue
            .then(() => this.rewire(s))
            .catch((error: unknown) =>
              this.options.onLine(
                `✖ ${s.name}: applying serverless.yml failed, the service runs as before (fix it and save, or restart pnpm dev): ${(error as Error).message}`,
              ),
            )
        : s.queue
            .then(() => this.rebuild(s, [...keys]))
            .catch((error: unknown) =>
              this.options.onLine(`✖ rebuild of ${s.name} failed: ${(error as Error).message}`),
            );
    }
  }

  private async rebuild(s: WatchedService, keys: string[]): Promise<void> {
    if (this.closed) return;
    const { rebuilt, failed, ms } = await s.bundles.rebuild(keys);
    if (rebuilt.length > 0) {
      this.options.target.reloadFunctions(s.name, rebuilt);
      this.options.onLine(
        `rebuilt ${functionList(
          s.name,
          rebuilt.map((f) => f.key),
        )} in ${ms} ms`,
      );
    }
    for (const f of failed) {
      this.options.onLine(`✖ rebuild of ${s.name}/${f.key} failed (its previous bundle stays): ${f.message}`);
    }
  }

  private async rewire(s: WatchedService): Promise<void> {
    if (this.closed) return;
    const started = Date.now();
    this.options.onLine(`${s.name}: serverless.yml (or a file it includes) changed, repackaging and rewiring…`);
    const { notes } = await this.options.target.rewireService(s.name);
    if (this.closed) return;
    // The new package may declare other functions, handlers or includes.
    await s.bundles.dispose();
    s.bundles = FunctionBundles.create(s.dir, join(this.options.dataDir, 'hot', s.name));
    s.configFiles = configFilesOf(s.dir);
    this.options.onLine(`rewired ${s.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const note of notes) this.options.onLine(`  note: ${note}`);
    s.warming = this.warmService(s).catch(() => undefined);
  }
}

/** The nearest folder holding a package.json at or above a file's folder. */
function packageFolderOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return dirname(file);
  }
}
