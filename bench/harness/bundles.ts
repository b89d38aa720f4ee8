import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import type { BenchFunction } from './functions.js';
import { zipArchive } from './zipArchive.js';

/**
 * - `ours`: esbuild.config.cjs exactly as serverless-esbuild gets it for `osls package` (a deploy
 *   build: CommonJS .cjs, minified, keepNames, stack-trace hook + table, credentials from the
 *   environment only, external compacted map).
 * - `ours-nohook`: the same code without the stack-trace hook and table and without a map: the true
 *   no-map baseline for error cost, and what the mapping mechanism costs at import.
 * - `ours-untrimmed`: `ours-nohook` with esbuild's full source map (vendor code mapped token by token).
 * - `ours-esm`: `ours` as ESM .mjs (with the createRequire banner CommonJS dependencies need): the
 *   ESM/CommonJS decision.
 * - `ours-nonames`: `ours` without keepNames: what readable names cost.
 * - `ours-local`: the `osls invoke local` build (the SDK's full default credential chain).
 * - `default`: what serverless-esbuild does with no `custom.esbuild` block for runtime nodejs22.x
 *   (its DEFAULT_BUILD_OPTIONS: bundle, platform node, target node22, external aws-sdk; esbuild's own
 *   defaults for the rest: CommonJS, `.js`, not minified, no source map).
 * - `default-sourcemap`: `default` plus `sourcemap: true` (a linked map with sourcesContent), the one
 *   line people add for readable stack traces: the fair comparison for map sizes.
 */
export type BundleVariant =
  | 'ours'
  | 'ours-nohook'
  | 'ours-untrimmed'
  | 'ours-esm'
  | 'ours-nonames'
  | 'ours-local'
  | 'default'
  | 'default-sourcemap';

export interface BuiltBundle {
  variant: BundleVariant;
  /** Absolute path of the bundle file. */
  file: string;
  mapFile: string | undefined;
  bundleBytes: number;
  mapBytes: number;
  /** Size of a deterministic zip of the bundle and its map, as serverless-esbuild packages them. */
  zipBytes: number;
  buildMs: number;
  /** Whether an AWS SDK client is bundled (error-cost targets differ for those functions). */
  hasSdkClient: boolean;
}

/** Defines `__benchThrow()` in the bundle's own code (used by the error-cost benchmark), for CommonJS output. */
export const THROW_FOOTER =
  'module.exports.__benchThrow = function __benchThrow() { throw new Error("thrown from bundle code by the error-cost benchmark"); };';

type SharedConfig = {
  (serverless: unknown): Record<string, unknown>;
  toEsbuildOptions(config: Record<string, unknown>): BuildOptions;
  credentialsFromEnvironment(): NonNullable<BuildOptions['plugins']>[number];
  lazyBuiltins(): NonNullable<BuildOptions['plugins']>[number];
};

const ESM_BANNER = [
  // ESM output: CommonJS dependencies bundled in still call require() for Node built-ins.
  "import { createRequire as __bpCreateRequire } from 'node:module';",
  'const require = __bpCreateRequire(import.meta.url);',
].join('\n');

/** The file extension a variant's bundle gets. */
export function extensionOf(variant: BundleVariant): string {
  if (variant === 'ours-esm') return '.mjs';
  return variant.startsWith('ours') ? '.cjs' : '.js';
}

/** Builds each function once per variant per run, in the run's temporary folder. */
export class BundleStore {
  private readonly built = new Map<string, Promise<BuiltBundle>>();
  private readonly sharedConfig: SharedConfig;

  constructor(
    repoRoot: string,
    private readonly outRoot: string,
  ) {
    this.sharedConfig = createRequire(import.meta.url)(join(repoRoot, 'esbuild.config.cjs')) as SharedConfig;
  }

  /** esbuild options for a variant of one function (entry points and output folder excluded). */
  options(fn: BenchFunction, variant: BundleVariant): BuildOptions {
    const loader = fn.bundleSettings.loader as BuildOptions['loader'] | undefined;
    if (variant === 'default' || variant === 'default-sourcemap') {
      return {
        bundle: true,
        platform: 'node',
        target: 'node22',
        external: ['aws-sdk'],
        // Not a serverless-esbuild default: without it the service's non-JS imports (.sql) do not build at all.
        ...(loader ? { loader } : {}),
        ...(variant === 'default-sourcemap' ? { sourcemap: true } : {}),
      };
    }
    const serverless = (commands: string[]) => ({
      processedInput: { commands },
      service: { custom: { bundle: fn.bundleSettings } },
    });
    const ours = this.sharedConfig.toEsbuildOptions(this.sharedConfig(serverless(['package'])));
    const withoutHook = {
      ...ours,
      plugins: [this.sharedConfig.lazyBuiltins(), this.sharedConfig.credentialsFromEnvironment()],
    };
    switch (variant) {
      case 'ours-nohook':
        return { ...withoutHook, sourcemap: false };
      case 'ours-untrimmed':
        return withoutHook;
      case 'ours-esm':
        return { ...ours, format: 'esm', outExtension: { '.js': '.mjs' }, banner: { js: ESM_BANNER } };
      case 'ours-nonames':
        return { ...ours, keepNames: false };
      case 'ours-local':
        return this.sharedConfig.toEsbuildOptions(this.sharedConfig(serverless(['invoke', 'local'])));
      default:
        return ours;
    }
  }

  get(fn: BenchFunction, variant: BundleVariant, { throwFooter = false } = {}): Promise<BuiltBundle> {
    const key = `${fn.service}/${fn.name}/${variant}${throwFooter ? '+throw' : ''}`;
    let bundle = this.built.get(key);
    if (!bundle) {
      bundle = this.build(fn, variant, throwFooter, join(this.outRoot, key));
      this.built.set(key, bundle);
    }
    return bundle;
  }

  private async build(
    fn: BenchFunction,
    variant: BundleVariant,
    throwFooter: boolean,
    root: string,
  ): Promise<BuiltBundle> {
    const options = this.options(fn, variant);
    const outdir = join(root, dirname(fn.entry));
    const started = performance.now();
    const result = await build({
      ...options,
      metafile: true,
      ...(throwFooter ? { footer: { js: THROW_FOOTER } } : {}),
      entryPoints: [join(fn.serviceDir, fn.entry)],
      outdir,
      absWorkingDir: fn.serviceDir,
      logLevel: 'silent',
    });
    const buildMs = performance.now() - started;
    const fileName = basename(fn.entry, extname(fn.entry)) + extensionOf(variant);
    const file = join(outdir, fileName);
    const mapFile = existsSync(`${file}.map`) ? `${file}.map` : undefined;
    const zipName = join(dirname(fn.entry), fileName).split('\\').join('/');
    const entries = [{ name: zipName, data: readFileSync(file) }];
    if (mapFile) entries.push({ name: `${zipName}.map`, data: readFileSync(mapFile) });
    return {
      variant,
      file,
      mapFile,
      bundleBytes: statSync(file).size,
      mapBytes: mapFile ? statSync(mapFile).size : 0,
      zipBytes: zipArchive(entries).length,
      buildMs,
      // Code of an AWS SDK client in the bundle itself: the metafile's top-level inputs also list the
      // files tree-shaking dropped whole (a client that @blueprints/common's index imports, say).
      hasSdkClient: Object.values(result.metafile?.outputs ?? {}).some((output) =>
        Object.entries(output.inputs).some(
          ([input, use]) => input.includes('@aws-sdk/client-') && use.bytesInOutput > 0,
        ),
      ),
    };
  }
}
