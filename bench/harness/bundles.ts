import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import type { BenchFunction } from './functions.js';
import { zipArchive } from './zipArchive.js';

/**
 * - `ours`: esbuild.config.cjs exactly as serverless-esbuild gets it (ESM .mjs, minified, linked map
 *   without sourcesContent, vendor code trimmed out of the map).
 * - `ours-untrimmed`: the same with the vendor-trimming plugin removed.
 * - `ours-nomap`: the same with `sourcemap: false`.
 * - `default`: what serverless-esbuild does with no `custom.esbuild` block for runtime nodejs22.x
 *   (its DEFAULT_BUILD_OPTIONS: bundle, platform node, target node22, external aws-sdk; esbuild's own
 *   defaults for the rest: CommonJS, `.js`, not minified, no source map).
 * - `default-sourcemap`: `default` plus `sourcemap: true` (a linked map with sourcesContent), the one
 *   line people add for readable stack traces: the fair comparison for map sizes.
 */
export type BundleVariant = 'ours' | 'ours-untrimmed' | 'ours-nomap' | 'default' | 'default-sourcemap';

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
}

/** Defines `__benchThrow()` in the bundle's own code (used by the error-cost benchmark). */
export const THROW_FOOTER =
  'export function __benchThrow() { throw new Error("thrown from bundle code by the error-cost benchmark"); }';

type SharedConfig = {
  (serverless: unknown): Record<string, unknown>;
  toEsbuildOptions(config: Record<string, unknown>): BuildOptions;
};

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
    const ours = this.sharedConfig.toEsbuildOptions(
      this.sharedConfig({ service: { custom: { bundle: fn.bundleSettings } } }),
    );
    if (variant === 'ours-untrimmed') return { ...ours, plugins: [] };
    if (variant === 'ours-nomap') return { ...ours, sourcemap: false, plugins: [] };
    return ours;
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
    await build({
      ...options,
      ...(throwFooter ? { footer: { js: THROW_FOOTER } } : {}),
      entryPoints: [join(fn.serviceDir, fn.entry)],
      outdir,
      absWorkingDir: fn.serviceDir,
      logLevel: 'silent',
    });
    const buildMs = performance.now() - started;
    const extension = variant.startsWith('ours') ? '.mjs' : '.js';
    const fileName = basename(fn.entry, extname(fn.entry)) + extension;
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
    };
  }
}
