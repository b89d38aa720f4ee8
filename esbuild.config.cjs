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
const path = require('node:path');

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

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

function decodeVlq(segment) {
  const fields = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64_DIGIT.get(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return fields;
}

function encodeVlq(fields) {
  let out = '';
  for (const field of fields) {
    let value = field < 0 ? (-field << 1) | 1 : field << 1;
    do {
      let digit = value & 31;
      value >>>= 5;
      if (value > 0) digit |= 32;
      out += BASE64[digit];
    } while (value > 0);
  }
  return out;
}

/**
 * Rewrites the map esbuild wrote into the compact form Lambda pays for once per cold error:
 * - a trimmed vendor file keeps no position: each run of its code maps to line 1 of one source per
 *   package (`node_modules/<package>`), so a vendor frame still names its package;
 * - workspace code and allow-listed packages keep one segment per original line (stack traces
 *   name the file and line; the column is the line's first token);
 * - `names` are dropped (Node's stack traces do not use them).
 * Node parses the whole map, in cold JavaScript, on the first `error.stack`: fewer segments and
 * sources make that first stack trace several times cheaper (see bench/).
 */
function compactSourceMap(map, isTrimmed) {
  const sources = [];
  const sourceIndex = new Map();
  const indexOf = (name) => {
    if (!sourceIndex.has(name)) {
      sourceIndex.set(name, sources.length);
      sources.push(name);
    }
    return sourceIndex.get(name);
  };
  const rename = map.sources.map((source) => {
    if (!isTrimmed(source)) return source;
    return `node_modules/${packageNameOf(source)}`;
  });
  const vendor = map.sources.map((source) => isTrimmed(source));
  const abs = [0, 0, 0, 0]; // source, line, column, name: absolute values in esbuild's map
  const out = [0, 0, 0]; // last emitted source, line, column
  const lines = map.mappings.split(';').map((line) => {
    let column = 0;
    let outColumn = 0;
    let previous = '';
    const kept = [];
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const f = decodeVlq(segment);
      column += f[0];
      if (f.length < 4) continue;
      abs[0] += f[1];
      abs[1] += f[2];
      abs[2] += f[3];
      if (f.length >= 5) abs[3] += f[4];
      const source = indexOf(rename[abs[0]]);
      const [origLine, origColumn] = vendor[abs[0]] ? [0, 0] : [abs[1], abs[2]];
      const key = `${source}:${origLine}`;
      if (key === previous) continue;
      previous = key;
      kept.push(encodeVlq([column - outColumn, source - out[0], origLine - out[1], origColumn - out[2]]));
      outColumn = column;
      out[0] = source;
      out[1] = origLine;
      out[2] = origColumn;
    }
    return kept.join(',');
  });
  return { version: 3, file: map.file, sources, names: [], mappings: lines.join(';') };
}

/**
 * esbuild plugin: strips vendor code out of the output source map, except allow-listed packages.
 * @param {{ mappedPackages?: string[] }} options
 */
function trimVendorSourceMaps({ mappedPackages = [] } = {}) {
  const keep = new Set(mappedPackages);
  const isTrimmed = (file) => {
    const name = packageNameOf(file);
    return name !== undefined && !keep.has(name) && !name.startsWith('@blueprints/');
  };
  return {
    name: 'trim-vendor-source-maps',
    setup(build) {
      build.initialOptions.metafile = true;
      build.onLoad({ filter: VENDOR_FILE }, async (args) => {
        if (!isTrimmed(args.path)) return undefined;
        const source = await fs.promises.readFile(args.path, 'utf8');
        return { contents: source + TRIM_COMMENT, loader: 'js' };
      });
      build.onEnd(async (result) => {
        if (!result.metafile || build.initialOptions.write === false) return;
        const cwd = build.initialOptions.absWorkingDir || process.cwd();
        const maps = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.map'));
        await Promise.all(
          maps.map(async (file) => {
            const full = path.resolve(cwd, file);
            const map = JSON.parse(await fs.promises.readFile(full, 'utf8'));
            await fs.promises.writeFile(full, JSON.stringify(compactSourceMap(map, isTrimmed)));
          }),
        );
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
  const bundle = serverless?.service.custom?.bundle || {};
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
    // One-shot builds: with incremental contexts, serverless-esbuild leaves a failed build's context
    // open, which keeps osls alive forever after printing the error.
    skipRebuild: true,
    plugins: [trimVendorSourceMaps({ mappedPackages: bundle.mappedPackages || [] })],
    ...(bundle.loader ? { loader: bundle.loader } : {}),
  };
}

module.exports = esbuildConfig;
module.exports.trimVendorSourceMaps = trimVendorSourceMaps;
module.exports.CREATE_REQUIRE_BANNER = CREATE_REQUIRE_BANNER;
module.exports.packageNameOf = packageNameOf;

/** serverless-esbuild options that esbuild itself does not take. */
const SERVERLESS_ESBUILD_ONLY = ['outputFileExtension', 'exclude', 'packager', 'keepOutputDirectory', 'skipRebuild'];

/**
 * The raw esbuild options this config stands for (what serverless-esbuild passes to esbuild), for
 * tests and benchmarks that build without osls.
 * @param {ReturnType<typeof esbuildConfig>} config
 */
function toEsbuildOptions(config) {
  const options = { ...config };
  for (const key of SERVERLESS_ESBUILD_ONLY) delete options[key];
  if (config.outputFileExtension && config.outputFileExtension !== '.js') {
    options.outExtension = { '.js': config.outputFileExtension };
  }
  return options;
}

module.exports.toEsbuildOptions = toEsbuildOptions;
