// The one bundling config every service points serverless-esbuild at (`custom.esbuild.config`).
// serverless-esbuild REPLACES its whole `custom.esbuild` block with what this returns, so every
// option it needs is set here.
//
// Per-service knobs live under `custom.bundle` in the service's serverless.yml:
//   custom:
//     bundle:
//       mappedPackages: [pg]     # vendor packages whose code stays in the source maps
//
// Source maps: workspace code (@blueprints/*, the service's own src/) is mapped; vendor code in
// node_modules is not, unless allow-listed. Trimming works by giving each vendor file an inline
// input map whose single segment ("AAAA") points at an empty source: esbuild then composes that
// map instead of mapping every vendor token. The once-popular `"mappings":"A"` variant has no
// effect since esbuild 0.25.2 (measured: identical 769 KB map with or without it).
'use strict';

const fs = require('node:fs');

const VENDOR_FILE = /[\\/]node_modules[\\/].*\.(?:js|mjs|cjs)$/;
const EMPTY_INPUT_MAP = Buffer.from(
  JSON.stringify({ version: 3, sources: [''], names: [], mappings: 'AAAA' }),
).toString('base64');
const TRIM_COMMENT = `\n//# sourceMappingURL=data:application/json;base64,${EMPTY_INPUT_MAP}\n`;

/** The package name a node_modules path belongs to (`@scope/name` or `name`). */
function packageNameOf(filePath) {
  const parts = filePath.split(/[\\/]/);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0 || i + 1 >= parts.length) return undefined;
  const first = parts[i + 1];
  return first.startsWith('@') ? `${first}/${parts[i + 2]}` : first;
}

/**
 * esbuild plugin: strips vendor code out of the output source map, except allow-listed packages.
 * @param {{ mappedPackages?: string[] }} options
 */
function trimVendorSourceMaps({ mappedPackages = [] } = {}) {
  const keep = new Set(mappedPackages);
  return {
    name: 'trim-vendor-source-maps',
    setup(build) {
      build.onLoad({ filter: VENDOR_FILE }, async (args) => {
        const name = packageNameOf(args.path);
        if (name && (keep.has(name) || name.startsWith('@blueprints/'))) return undefined;
        const source = await fs.promises.readFile(args.path, 'utf8');
        return { contents: source + TRIM_COMMENT, loader: 'js' };
      });
    },
  };
}

const CREATE_REQUIRE_BANNER = [
  // ESM output: CommonJS dependencies bundled in still call require() for Node built-ins.
  "import { createRequire as __bpCreateRequire } from 'node:module';",
  'const require = __bpCreateRequire(import.meta.url);',
].join('\n');

/** @param {any} serverless the serverless instance serverless-esbuild passes in */
function esbuildConfig(serverless) {
  const bundle = (serverless && serverless.service.custom && serverless.service.custom.bundle) || {};
  return {
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    outputFileExtension: '.mjs',
    // ESM builds of the AWS SDK and friends tree-shake far better than their CommonJS builds.
    mainFields: ['module', 'main'],
    sourcemap: 'linked',
    sourcesContent: false,
    banner: { js: CREATE_REQUIRE_BANNER },
    // Everything is bundled: the packager (unreliable with pnpm) never has to install anything.
    external: [],
    exclude: [],
    packager: 'npm',
    keepOutputDirectory: false,
    plugins: [trimVendorSourceMaps({ mappedPackages: bundle.mappedPackages || [] })],
    ...(bundle.loader ? { loader: bundle.loader } : {}),
  };
}

module.exports = esbuildConfig;
module.exports.trimVendorSourceMaps = trimVendorSourceMaps;
module.exports.CREATE_REQUIRE_BANNER = CREATE_REQUIRE_BANNER;
module.exports.packageNameOf = packageNameOf;
