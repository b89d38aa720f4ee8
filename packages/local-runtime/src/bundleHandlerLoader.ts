import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { packagedFilePath, readPackagedServiceState } from '@blueprints/packaging';
import type { Handler, HandlerLoader, LocalFunction } from './LocalLambda.js';

const run = promisify(execFile);

export class BundleNotFoundError extends Error {
  constructor(zip: string) {
    super(`No bundle ${zip}: run \`osls package\` in the service (pnpm dev packages it when its sources change)`);
    this.name = 'BundleNotFoundError';
  }
}

/**
 * The zip osls wrote for a function: `.serverless/<function key>.zip` (keys from serverless-state.json),
 * `.serverless-<stage>/…` for another stage's package.
 */
function zipOf(serviceDir: string, fn: LocalFunction, stage?: string): string {
  const packaged = existsSync(packagedFilePath(serviceDir, stage, 'serverless-state.json'));
  const key = packaged
    ? readPackagedServiceState(serviceDir, stage).functions.find((f) => f.name === fn.name)?.key
    : undefined;
  return packagedFilePath(serviceDir, stage, `${key ?? fn.name}.zip`);
}

/**
 * The map's `sources` are relative to where esbuild wrote the bundle, not to where it is unpacked:
 * anchor them on the function's own handler source so stack traces name the real `.ts` files.
 */
function anchorSourceMap(mapFile: string, serviceDir: string, handlerFile: string): void {
  if (!existsSync(mapFile)) return;
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; sourceRoot?: string };
  const own = handlerFile.replace(/\.cjs$/, '.ts');
  const entry = map.sources.find((s) => s.endsWith(own));
  if (!entry) return;
  // `entry` is `../../…/src/handlers/x.ts`: the bundle sat as many folders below the service as it climbs.
  const ups = entry.split('/').filter((part) => part === '..').length;
  const base = join(serviceDir, ...Array<string>(ups).fill('_'));
  if (resolve(base, entry) !== resolve(serviceDir, own)) return;
  map.sources = map.sources.map((s) => pathToFileURL(resolve(base, s)).href);
  delete map.sourceRoot;
  writeFileSync(mapFile, JSON.stringify(map));
}

export interface BundleHandlerLoaderOptions {
  /**
   * The folder of a function's newest hot-reload build (its bundle at the handler's path), when one
   * is newer than the packaged zip: a cold start loads it instead of the zip.
   */
  rebuilt?: (fn: LocalFunction) => string | undefined;
  /** The stage whose package the zips come from (`.serverless-<stage>`); default the default package (`.serverless`). */
  stage?: string;
}

/**
 * Loads handlers from the BUILT bundles `osls package` wrote (`.serverless/<function>.zip`): each
 * zip is unpacked with the `unzip` CLI into `<workDir>/<function>/` (again whenever the zip is newer)
 * and its `<handler>.cjs` loaded, as Lambda would. Each bundle maps its own stack traces to the `.ts`
 * files, lines and function names (its stack-trace hook, see esbuild.config.cjs). With `rebuilt`, a
 * function rebuilt since (hot reload) loads from its rebuild's folder instead.
 *
 * @example
 * const lambda = new LocalLambda(functions, bundleHandlerLoader('services/orders', '.local/bundles/orders'));
 */
export function bundleHandlerLoader(
  serviceDir: string,
  workDir: string,
  options: BundleHandlerLoaderOptions = {},
): HandlerLoader {
  return async (fn): Promise<Handler> => {
    const dot = fn.handler.lastIndexOf('.');
    const exportName = fn.handler.slice(dot + 1);
    const rebuilt = options.rebuilt?.(fn);
    if (rebuilt) return importHandler(join(rebuilt, `${fn.handler.slice(0, dot)}.cjs`), exportName);
    const handlerFile = `${fn.handler.slice(0, dot)}.cjs`;
    // The default package moves (a rename) while another stage is packaged: a zip that is gone
    // between finding and unpacking it is looked up again.
    for (let attempt = 1; ; attempt++) {
      const zip = zipOf(serviceDir, fn, options.stage);
      const zipStat = statSync(zip, { throwIfNoEntry: false });
      if (!zipStat) {
        if (attempt < 3) continue;
        throw new BundleNotFoundError(zip);
      }
      // A folder per zip version: a module cannot be re-imported from the same URL.
      const target = join(workDir, fn.name, String(Math.trunc(zipStat.mtimeMs)));
      const file = join(target, handlerFile);
      if (!existsSync(file)) {
        rmSync(join(workDir, fn.name), { recursive: true, force: true });
        mkdirSync(target, { recursive: true });
        try {
          await run('unzip', ['-o', '-q', zip, '-d', target]);
        } catch (error) {
          if (attempt < 3 && !existsSync(zip)) continue;
          throw error;
        }
        if (!existsSync(file)) throw new Error(`${zip} holds no ${handlerFile}`);
        anchorSourceMap(`${file}.map`, serviceDir, handlerFile);
      }
      return importHandler(file, exportName);
    }
  };
}

async function importHandler(file: string, exportName: string): Promise<Handler> {
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = mod[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} does not export "${exportName}"`);
  return handler as Handler;
}

const sourceMaps = new Map<string, SourceMap | null>();

function sourceMapOf(file: string): SourceMap | null {
  let map = sourceMaps.get(file);
  if (map === undefined) {
    const mapFile = `${file}.map`;
    map = existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null;
    sourceMaps.set(file, map);
  }
  return map;
}

/**
 * Rewrites the frames of a stack trace that point into unpacked bundles (`….cjs:line:col`) to the
 * `.ts` files and lines their source maps name. Node does this itself with source maps enabled,
 * but not under a loader that installs its own stack-trace hook (tsx, which runs `pnpm dev`).
 */
export function mapBundleStackTrace(stack: string): string {
  return stack.replace(
    /(\(?)((?:file:\/\/)?[^\s()]+\.[cm]js):(\d+):(\d+)(\)?)/g,
    (frame, open, path, line, column, close) => {
      const file = path.startsWith('file://') ? fileURLToPath(path) : path;
      const map = sourceMapOf(file);
      if (!map) return frame;
      const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
      };
      if (!entry?.originalSource) return frame;
      const source = entry.originalSource.startsWith('file://')
        ? fileURLToPath(entry.originalSource)
        : entry.originalSource;
      return `${open}${source}:${(entry.originalLine ?? 0) + 1}:${(entry.originalColumn ?? 0) + 1}${close}`;
    },
  );
}
