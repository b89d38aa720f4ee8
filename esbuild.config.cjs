// The one bundling config every service points serverless-esbuild at (`custom.esbuild.config`).
// serverless-esbuild REPLACES its whole `custom.esbuild` block with what this returns, so every
// option it needs is set here.
//
// Per-service knobs live under `custom.bundle` in the service's serverless.yml:
//   custom:
//     bundle:
//       mappedPackages: [pg]     # vendor packages whose code stays in the source maps
//
// Output: CommonJS `.cjs`, chosen by measurement on Node 22 (bench/README.md, "ESM or CommonJS"): an ESM
// bundle turns every `import` of a Node built-in into a static import that Node loads before the first
// line runs (73 built-ins for an SDK function, `child_process` and `dgram` among them), while CommonJS
// output requires a built-in where the code runs; on top of that, heavy built-ins are required only on
// first use (lazyBuiltins; reading a function such as `zlib.crc32` at load does not count as use).
// Lambda loads `.cjs` handlers as CommonJS whatever the package.json says.
//
// Cold start, what else was measured (Node 22, CPU time of a cold import, interleaved A/B): the SDK
// clients each handler used to construct at module load now come from `onFirstUse` (@blueprints/common),
// which took about a fifth off an SDK function's import (the work moves to the first invocation, see
// there). Names: `keepNames` costs a `__name()` call per function and class at load; the alternative,
// minifying whitespace and syntax but not identifiers (names survive without any call), made bundles
// about 60% larger and imported no faster within the noise of a loaded machine, and top-level names
// that collide across modules would read `parse2`. Keeping names only where they are read (own code,
// and Powertools, which compares its own class names at run time), by compiling those files on their
// own with keepNames in an onLoad step, made the SDK functions' import 1.06x faster (median, Node 22,
// `pnpm bench` A/B against this config) but defeats tree-shaking inside those files: the `__name()`
// calls are plain top-level calls to the bundler, so every function in a module is kept
// (brandConsumer 54 -> 69 KB and 0.86x import, unused own modules shipped). keepNames stays.
//
// Stack traces without --enable-source-maps: that flag makes Node read the map and walk the whole
// bundle at module load, on every cold start, whether or not anything throws. Instead, each bundle
// carries a small table (own code: one entry per original line; vendor code: one entry per run of a
// package) built here from the source map, and an `Error.prepareStackTrace` hook that reads it on the
// first stack only: frames in the service's and @blueprints code name the `.ts` file:line:column,
// vendor frames name their package. `keepNames` keeps function and class names (stack frames and
// Lambda's `errorType`, which is `error.name`) readable in the minified code.
// Where the first stack's time goes (Node 22, performance.now() markers in a scratch copy of the hook,
// event-logger/persist, 450 KB, 0.72 ms without any hook): asking V8 for a bundle frame's line
// (getLineNumber, or String(callSite), which prints it) took 0.45-0.5 ms, because V8 first builds the
// line-start table of the whole script, a scan of every character of the bundle; getPosition() (the
// character offset) took 0.005 ms. The no-map baseline pays that scan too, when V8 prints the bundle
// frame. So the table is keyed by character offset, and the hook writes a bundle frame's text itself
// from the CallSite (name, type, method, async, new) around the mapped location, never asking for the
// bundle's lines: A/B against the previous hook (line/column lookups, V8's text; 15 fresh processes
// each, median wall, Node 22, quiet): persist 1.08 -> 0.56 ms (no map 0.72), publish -> 0.57 (0.53),
// broadcast -> 0.51 (0.57); the small bundles, whose scan is short, still pay more than no map
// (presign 0.51 vs 0.29, brandConsumer 0.56 vs 0.35: compiling the hook on first use, ~0.1 ms, and
// reading its table). Compiling the hook eagerly (a parenthesised function) took another 0.14 ms off
// broadcast's first stack but moves that compile to every cold start, so it is not done. Earlier
// steps, measured the same way: the table is a comment in a function, read with
// Function.prototype.toString (no string literal to scan at load, no JSON to parse on first use), own
// and vendor rows are one table (one search), and the hook is one function (one lazy compile). At
// import (Node 22, require() of the bundle, 30-40 interleaved rounds, median wall): ours / no hook
// 1.01x (articles), 1.02-1.045x (presign, ~0.3-0.4 ms, the injected installer; the table comment
// itself measured 0.99-1.01x, and the installer's one `new Error` nothing measurable).
//
// Deploy builds (`osls package`/`deploy`) resolve AWS credentials from the environment only: Lambda
// always sets them there, and the SDK's default chain (SSO, INI files, STS web identity, process,
// IMDS/ECS) costs import time and bundle size for sources that never apply. `osls invoke local`
// builds keep the full chain, so profiles and SSO work on a developer machine.
//
// Source maps: still written (external, not referenced from the bundle, so Node never loads them),
// compacted to what a stack trace needs: workspace code (@blueprints/*, the service's own src/) keeps
// one segment per original line; vendor code in node_modules is reduced to its package name, unless
// allow-listed. The reduction runs once at the end of the build on esbuild's map.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

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
  const lines = map.mappings.split(';').map(() => []);
  const out = [0, 0, 0]; // last emitted source, line, column
  let previous = '';
  let previousLine = -1;
  let outColumn = 0;
  for (const [generatedLine, column, original, originalLine, originalColumn] of decodeMappings(map.mappings)) {
    if (generatedLine !== previousLine) {
      previous = '';
      outColumn = 0;
      previousLine = generatedLine;
    }
    const source = indexOf(rename[original]);
    const [line, lineColumn] = vendor[original] ? [0, 0] : [originalLine, originalColumn];
    const key = `${source}:${line}`;
    if (key === previous) continue;
    previous = key;
    lines[generatedLine].push(encodeVlq([column - outColumn, source - out[0], line - out[1], lineColumn - out[2]]));
    outColumn = column;
    out[0] = source;
    out[1] = line;
    out[2] = lineColumn;
  }
  return { version: 3, file: map.file, sources, names: [], mappings: lines.map((l) => l.join(',')).join(';') };
}

/** Decodes a `mappings` string into [generatedLine, generatedColumn, source, line, column] rows. */
function decodeMappings(mappings) {
  const rows = [];
  const abs = [0, 0, 0];
  mappings.split(';').forEach((line, generatedLine) => {
    let column = 0;
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const f = decodeVlq(segment);
      column += f[0];
      if (f.length < 4) continue;
      abs[0] += f[1];
      abs[1] += f[2];
      abs[2] += f[3];
      rows.push([generatedLine, column, abs[0], abs[1], abs[2]]);
    }
  });
  return rows;
}

/** `node_modules/pg/lib/client.js` for any path inside a package (pnpm's `.pnpm/…` store included). */
function vendorPath(file) {
  const normalized = file.split(path.sep).join('/');
  return `node_modules/${normalized.slice(normalized.lastIndexOf('node_modules/') + 'node_modules/'.length)}`;
}

/**
 * Digits of the table's fixed-width rows: base 64 on the character codes 48 (`0`) to 111 (`o`), so
 * the hook reads a number with `charCodeAt` and arithmetic, without parsing anything first, and no
 * row holds a star followed by a slash (the end of the comment it lives in) or a line feed.
 */
const DIGIT_BASE = 48;
/**
 * Widths (in digits) of a row's fields: generated position (the character offset in the bundle, what
 * V8's `CallSite#getPosition` returns), source, original line, original column.
 */
const ROW_FIELDS = [6, 2, 3, 2];
const ROW_WIDTH = ROW_FIELDS.reduce((a, b) => a + b, 0);

/** Rows as one string of fixed-width base-64 numbers (values clamped to what the width holds). */
function encodeRows(rows) {
  let out = '';
  for (const row of rows) {
    ROW_FIELDS.forEach((width, i) => {
      let value = Math.min(Math.max(row[i], 0), 64 ** width - 1);
      let digits = '';
      for (let d = 0; d < width; d++) {
        digits = String.fromCharCode(DIGIT_BASE + (value % 64)) + digits;
        value = Math.floor(value / 64);
      }
      out += digits;
    });
  }
  return out;
}

// The hook is serialised into each bundle on its own, so it spells these numbers out: keep them in step.
if (ROW_WIDTH !== 13 || DIGIT_BASE !== 48) throw new Error('stack table layout changed');

/**
 * The stack table a bundle's hook reads (see {@link installStackTraceHook}), built from the compacted
 * map, as the lines of a comment: the rows, the number of own sources, then one source per line (own
 * sources first, then vendor packages). Rows are fixed-width (see {@link encodeRows}; generated
 * positions are character offsets in the bundle, original lines and columns 0-based), sorted by
 * generated position, so the hook binary-searches the line as it is:
 * own code (workspace files, allow-listed packages; paths relative to the project root) has a row per
 * original line; each run of trimmed vendor code has one row naming its package (`node_modules/<package>`),
 * a source number past the own ones, and no position.
 * @param {{ sources: string[], mappings: string }} compacted
 * @param {string} mapDir folder of the map file (its sources are relative to it)
 * @param {string} root project root the table's paths are relative to
 * @param {string} code the bundle the map describes (generated lines and columns become offsets in it)
 * @returns {string[]} the comment's lines
 */
function stackTable(compacted, mapDir, root, code) {
  const lineStarts = [0];
  for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const trimmed = compacted.sources.map((source) => TRIMMED_SOURCE.test(source));
  const ownSources = [];
  const vendorSources = [];
  const index = compacted.sources.map((source, i) => {
    if (trimmed[i]) return vendorSources.push(source) - 1;
    // A module of a plugin namespace (this file's injected hook): not a file.
    if (/^[a-z-]+:/.test(source)) return ownSources.push(source) - 1;
    const file = path.resolve(mapDir, source);
    const name = file.includes(`${path.sep}node_modules${path.sep}`)
      ? vendorPath(file)
      : path.relative(root, file).split(path.sep).join('/');
    return ownSources.push(name) - 1;
  });
  const rows = [];
  for (const [line, column, source, originalLine, originalColumn] of decodeMappings(compacted.mappings)) {
    const offset = lineStarts[line] + column;
    if (trimmed[source]) rows.push([offset, ownSources.length + index[source], 0, 0]);
    else rows.push([offset, index[source], originalLine, originalColumn]);
  }
  const sources = [...ownSources, ...vendorSources];
  // The comment ends at the first `*/`, and the hook splits it at line feeds: a source name holding
  // either cannot be written (row digits are neither `*`, `/` nor a line feed).
  const unwritable = sources.find((source) => source.includes('*/') || /[\n\r\u2028\u2029]/.test(source));
  if (unwritable !== undefined)
    throw new Error(`stack table: cannot write the source name ${JSON.stringify(unwritable)}`);
  return [encodeRows(rows), String(ownSources.length), ...sources];
}

/** A source name that stands for a whole vendor package: `node_modules/@scope/name` or `node_modules/name`. */
const TRIMMED_SOURCE = /^node_modules\/(@[^/]+\/)?[^/]+$/;

/** The name of the function appended to each bundle whose comment holds its stack table. */
const TABLE_FUNCTION = '__blueprintsStackTable';

/**
 * Installed by every bundle at load (esbuild `inject`, before any other module of the bundle runs);
 * Lambda never sees this function's source outside the bundle. Registers the bundle's table function
 * under its file name and, once per process, sets `Error.prepareStackTrace` so that frames in a
 * registered bundle are mapped: own code to `file.ts:line:column`, vendor code to its package.
 * Costs nothing at import: the table is a comment in a function, which V8 skips over when it
 * pre-parses the bundle (no string literal to scan), and which the hook reads on the first stack with
 * a frame in this bundle through `Function.prototype.toString` (a slice of the source V8 already
 * holds: nothing to parse, compile or copy). The hook is one function (the first stack compiles one
 * function, not several) and reads the table's fixed-width digits with `charCodeAt`.
 * Bundle frames are looked up by character offset (`CallSite#getPosition`), never by line and column:
 * V8 turns a position into a line by building a table of every line start of the script, a scan of
 * the whole bundle (about 0.45 ms for a 450 KB bundle on the first stack), which a stack that only
 * names `.ts` files does not need. So the hook writes those frames' text itself, as V8's
 * `CallSite#toString` does (`async `, `new `, `Type.function [as method]`), around the mapped
 * location; for the few shapes where V8's rules differ between versions or need the receiver (a
 * static method's class name), it takes V8's own text and replaces the location, paying the line
 * table then. Frames elsewhere stay CallSites and are formatted by V8. Stacks with no frame in a
 * registered bundle go to the hook that was there before, or get V8's own format.
 * At install, the table function returns an error made at an offset the build wrote down: where V8
 * puts that error is where the loader put the code (a loader that compiles the file with something in
 * front of it, such as a patched `Module.wrap`, shifts every offset), so lookups stay right. That is
 * one `new Error` per bundle at load, a few microseconds.
 * @param {string | undefined} file the bundle's own path (`__filename`)
 * @param {Function | undefined} table the function whose comment is the bundle's stack table (see {@link stackTable})
 */
function installStackTraceHook(file, table) {
  if (typeof file !== 'string' || typeof table !== 'function') return;
  const key = Symbol.for('blueprints.stackTables');
  let bundles = globalThis[key];
  if (!bundles) {
    bundles = new Map();
    Object.defineProperty(globalThis, key, { value: bundles });
    const previous = Error.prepareStackTrace;
    const sourceOf = Function.prototype.toString;
    // One pass, and work only for frames in a bundle: the others stay CallSites, which the final
    // join turns into text natively, as Node's own formatting does.
    Error.prepareStackTrace = function prepareStackTrace(error, sites) {
      let frames;
      for (let i = 0; i < sites.length; i++) {
        const site = sites[i];
        const file = site.getFileName();
        const bundle = file === undefined ? undefined : bundles.get(file);
        if (bundle === undefined) continue;
        frames ??= sites.slice();
        try {
          // [function header, rows, own source count, ...sources, comment end]
          bundle.lines ??= sourceOf.call(bundle.table).split('\n');
          const rows = bundle.lines[1];
          // The last row at or before the frame's offset: a row's first 6 digits.
          const target = site.getPosition() - bundle.shift;
          let low = 0;
          let high = rows.length / 13 - 1;
          let found = -1;
          while (low <= high) {
            const mid = (low + high) >> 1;
            let position = 0;
            for (let d = mid * 13, end = d + 6; d < end; d++) position = position * 64 + rows.charCodeAt(d) - 48;
            if (position <= target) {
              found = mid;
              low = mid + 1;
            } else high = mid - 1;
          }
          if (found < 0) continue;
          const row = found * 13;
          // Source (2 digits), original line (3), original column (2).
          const source = (rows.charCodeAt(row + 6) - 48) * 64 + rows.charCodeAt(row + 7) - 48;
          const name = bundle.lines[3 + source];
          if (name === undefined) continue;
          let location = name;
          // Trimmed vendor code keeps no positions: its frames name the package only.
          if (source < +bundle.lines[2]) {
            let originalLine = 0;
            for (let d = row + 8; d < row + 11; d++) originalLine = originalLine * 64 + rows.charCodeAt(d) - 48;
            const originalColumn = (rows.charCodeAt(row + 11) - 48) * 64 + rows.charCodeAt(row + 12) - 48;
            location = `${name}:${originalLine + 1}:${originalColumn + 1}`;
          }
          // The frame's text as V8 writes it (a bundle frame is never a Promise.all/any frame).
          const fn = site.getFunctionName();
          const method = !site.isToplevel() && !site.isConstructor();
          const type = method ? site.getTypeName() : null;
          // A plain ASCII identifier (a character loop: a regular expression costs its compile on
          // this first stack).
          let plain = true;
          for (let c = 0; fn && plain && c < fn.length; c++) {
            const code = fn.charCodeAt(c);
            plain =
              code === 36 ||
              code === 95 ||
              (code >= 65 && code <= 90) ||
              (code >= 97 && code <= 122) ||
              (c > 0 && code >= 48 && code <= 57);
          }
          // Where V8's rules changed between versions (names that are not plain identifiers, names
          // that start with the type's), or need what a strict-mode CallSite does not give (a
          // static method's class: the type reads `Function`), V8 writes the text, location included.
          if (!plain || type === 'Function' || (type && fn && fn !== type && fn.startsWith(type))) {
            const text = String(site);
            const generated = `${file}:${site.getLineNumber()}:${site.getColumnNumber()}`;
            const at = text.lastIndexOf(generated);
            if (at >= 0) frames[i] = text.slice(0, at) + location + text.slice(at + generated.length);
            continue;
          }
          let text = site.isAsync() ? 'async ' : '';
          if (method) {
            const name = site.getMethodName();
            if (fn)
              text += `${type && fn !== type ? `${type}.` : ''}${fn}${name && name !== fn ? ` [as ${name}]` : ''}`;
            else text += `${type ? `${type}.` : ''}${name || '<anonymous>'}`;
          } else if (site.isConstructor()) text += `new ${fn || '<anonymous>'}`;
          else if (fn) text += fn;
          else {
            frames[i] = text + location;
            continue;
          }
          frames[i] = `${text} (${location})`;
        } catch {
          // An unreadable table leaves the frame as V8 writes it.
        }
      }
      if (frames === undefined && previous) return previous(error, sites);
      let header;
      try {
        header = Error.prototype.toString.call(error);
      } catch {
        header = '<error>';
      }
      return sites.length ? `${header}\n    at ${(frames ?? sites).join('\n    at ')}` : header;
    };
  }
  // Where V8 placed the table's error, against where the build wrote it.
  let shift = 0;
  const current = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_, sites) => sites;
    const [probe, written] = table();
    const site = probe.stack[0];
    if (site !== undefined && site.getFileName() === file) shift = site.getPosition() - written;
  } catch {
    // No sites (Error.stackTraceLimit = 0, say): the file as written.
  } finally {
    Error.prepareStackTrace = current;
  }
  bundles.set(file, { table, shift });
}

const HOOK_MODULE = 'blueprints:stack-trace-hook';

/**
 * esbuild plugin: compacts the output source map (vendor code reduced to its package, except
 * allow-listed packages; see {@link compactSourceMap}) and gives each bundle its stack table and
 * hook. Everything runs once, at the end of the build, on the map esbuild wrote.
 * @param {{ mappedPackages?: string[], root?: string }} options
 */
function trimVendorSourceMaps({ mappedPackages = [], root = __dirname } = {}) {
  const keep = new Set(mappedPackages);
  const isTrimmed = (file) => {
    const name = packageNameOf(file);
    return name !== undefined && !keep.has(name) && !name.startsWith('@blueprints/');
  };
  return {
    name: 'trim-vendor-source-maps',
    setup(build) {
      build.initialOptions.metafile = true;
      build.initialOptions.inject = [...(build.initialOptions.inject || []), HOOK_MODULE];
      build.onResolve({ filter: /^blueprints:stack-trace-hook$/ }, () => ({
        path: HOOK_MODULE,
        namespace: 'blueprints',
      }));
      build.onLoad({ filter: /.*/, namespace: 'blueprints' }, () => ({
        loader: 'js',
        contents: [
          `(${installStackTraceHook.toString()})(`,
          "  typeof __filename === 'string' ? __filename : undefined,",
          `  typeof ${TABLE_FUNCTION} === 'function' ? ${TABLE_FUNCTION} : undefined,`,
          ');',
        ].join('\n'),
      }));
      build.onEnd(async (result) => {
        if (!result.metafile || build.initialOptions.write === false) return;
        const cwd = build.initialOptions.absWorkingDir || process.cwd();
        const maps = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.map'));
        await Promise.all(
          maps.map(async (file) => {
            const full = path.resolve(cwd, file);
            const compacted = compactSourceMap(JSON.parse(await fs.promises.readFile(full, 'utf8')), isTrimmed);
            await fs.promises.writeFile(full, JSON.stringify(compacted));
            const bundle = full.slice(0, -'.map'.length);
            if (!fs.existsSync(bundle)) return;
            const code = await fs.promises.readFile(bundle, 'utf8');
            const lines = stackTable(compacted, path.dirname(full), root, code);
            // A function declaration is hoisted: the hook, which runs first, can already see it. It
            // returns an error made at a known offset, and that offset, so the hook can check where
            // the loader put the code (see installStackTraceHook).
            const head = `\nfunction ${TABLE_FUNCTION}(){return[new Error,`;
            await fs.promises.appendFile(
              bundle,
              `${head}${code.length + head.length - 'new Error,'.length}]/*\n${lines.join('\n')}\n*/}\n`,
            );
          }),
        );
      });
    },
  };
}

/** The package every AWS SDK v3 client imports its default credential provider from. */
const NODE_CREDENTIAL_CHAIN = /^@aws-sdk\/credential-provider-node$/;

/**
 * esbuild plugin for deploy builds: every AWS SDK client's default credential provider becomes
 * `fromEnv` (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which is where Lambda puts
 * the function role's credentials. The default chain's other sources (SSO, INI/profile files, process,
 * web identity via STS, container/instance metadata) and their nested STS/SSO clients are left out.
 * A credentials error names the missing variable, as fromEnv does.
 */
function credentialsFromEnvironment() {
  return {
    name: 'credentials-from-environment',
    setup(build) {
      build.onResolve({ filter: NODE_CREDENTIAL_CHAIN }, async (args) => {
        if (args.pluginData === 'real') return undefined;
        const real = await build.resolve(args.path, {
          resolveDir: args.resolveDir,
          kind: args.kind,
          importer: args.importer,
          pluginData: 'real',
        });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: 'credentials-from-environment' };
      });
      build.onLoad({ filter: /.*/, namespace: 'credentials-from-environment' }, (args) => ({
        // Resolved from the real package's folder, where its own dependencies are installed.
        resolveDir: path.dirname(args.path),
        loader: 'js',
        contents: [
          "import { fromEnv } from '@aws-sdk/credential-provider-env';",
          'export const defaultProvider = (init = {}) => fromEnv(init);',
          'export const credentialsWillNeedRefresh = (credentials) => credentials?.expiration !== undefined;',
          'export const credentialsTreatedAsExpired = (credentials) =>',
          '  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300000;',
        ].join('\n'),
      }));
    },
  };
}

/**
 * Node built-ins that are not loaded when Node starts, and cost a cold start something to load
 * (compiling their internal modules): a bundle requires them only when its code first uses them.
 */
const LAZY_BUILTINS = [
  'assert',
  'async_hooks',
  'child_process',
  'console',
  'crypto',
  'dgram',
  'dns',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'perf_hooks',
  'readline',
  'stream',
  'stream/promises',
  'stream/web',
  'tls',
  'tty',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

/**
 * The stand-in {@link lazyBuiltins} gives a bundle for one built-in; its source runs inside the bundle.
 * The module is required on the first read of a value, or the first call or `new` of a function.
 * Reading a function export does not load it: the reader gets a forwarding function (a Proxy), so
 * load-time code such as `typeof zlib.crc32 === 'function'` or `const random = crypto.getRandomValues`
 * (both in the AWS SDK's core) no longer loads the module at cold start. `class C extends Writable` still
 * does (V8 reads `.prototype` at once), and works: `super()` constructs the real class. Once the module
 * is loaded, reads return the real functions. Only identity differs (`stand-in !== zlib.crc32`).
 * @param {{ exports: unknown }} module the stand-in module
 * @param {string} specifier `node:zlib`
 * @param {string[]} names the module's export names (as the Node running the build has them)
 * @param {Set<string>} functions those of them that are functions
 */
function lazyModule(module, specifier, names, functions) {
  let loaded;
  const load = () => (loaded ??= require(specifier));
  const standIns = new Map();
  const standIn = (name) => {
    let stand = standIns.get(name);
    if (stand === undefined) {
      const real = () => load()[name];
      // A `function` target, so the stand-in can be called, constructed and extended.
      stand = new Proxy(function lazyBuiltin() {}, {
        apply: (_, self, args) => Reflect.apply(real(), self === module.exports ? load() : self, args),
        construct: (_, args, newTarget) => Reflect.construct(real(), args, newTarget === stand ? real() : newTarget),
        get: (_, property) => Reflect.get(real(), property),
        set: (_, property, value) => Reflect.set(real(), property, value),
        has: (_, property) => property in real(),
      });
      standIns.set(name, stand);
    }
    return stand;
  };
  module.exports = new Proxy(
    {},
    {
      get: (_, name) => {
        if (name === '__esModule') return undefined;
        return loaded === undefined && functions.has(name) ? standIn(name) : load()[name];
      },
      has: (_, name) => name in load(),
      ownKeys: () => names,
      getOwnPropertyDescriptor: (_, name) =>
        names.includes(name) ? { configurable: true, enumerable: true, writable: true, value: undefined } : undefined,
    },
  );
}

/**
 * esbuild plugin: every import of a built-in in {@link LAZY_BUILTINS} becomes a stand-in that
 * requires the real module on first use (a value read, a call, `new`, `in`; see {@link lazyModule}).
 * esbuild compiles a named import (`import { request } from 'https'`) to a property read at the point
 * of use, so a module that imports `https` but sends nothing at load time no longer loads https, tls
 * and net at cold start, and a function read at load (`typeof zlib.crc32`) does not load its module
 * either. The
 * stand-in lists the module's export names as the Node running the build has them, so `import * as`
 * and default imports (esbuild's `__toESM` copies the names) work too; a name only a later Node has is
 * still reached through a named import or `.default`.
 */
/**
 * Whether a built-in's export is a function, read in the build's own process. Some are getters
 * (`crypto.getRandomValues`); reading the deprecated ones (`crypto.prng`) would print a deprecation
 * warning into the build's output, so warnings are silenced for the read.
 */
function isFunctionExport(module, name) {
  const descriptor = Object.getOwnPropertyDescriptor(module, name);
  if (descriptor === undefined) return false;
  if ('value' in descriptor) return typeof descriptor.value === 'function';
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    return typeof module[name] === 'function';
  } catch {
    return false;
  } finally {
    process.noDeprecation = quiet;
  }
}

const LAZY_RUNTIME = 'lazy-builtin-runtime';

function lazyBuiltins() {
  const lazy = new Set(LAZY_BUILTINS);
  return {
    name: 'lazy-builtins',
    setup(build) {
      build.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) => {
        const name = args.path.replace(/^node:/, '');
        if (args.namespace === 'lazy-builtin' || !lazy.has(name)) return undefined;
        return { path: name, namespace: 'lazy-builtin' };
      });
      build.onResolve({ filter: /^node:/, namespace: 'lazy-builtin' }, (args) => ({ path: args.path, external: true }));
      build.onResolve({ filter: /^lazy-builtin-runtime$/, namespace: 'lazy-builtin' }, () => ({
        path: LAZY_RUNTIME,
        namespace: 'lazy-builtin',
      }));
      build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
        // One copy of the stand-in code per bundle, shared by every built-in's stand-in.
        if (args.path === LAZY_RUNTIME) return { loader: 'js', contents: `module.exports = ${lazyModule.toString()};` };
        const real = require(`node:${args.path}`);
        const names = Object.getOwnPropertyNames(real);
        const functions = names.filter((name) => isFunctionExport(real, name));
        return {
          loader: 'js',
          contents: `require('lazy-builtin-runtime')(module, ${JSON.stringify(`node:${args.path}`)}, ${JSON.stringify(names)}, new Set(${JSON.stringify(functions)}));`,
        };
      });
    },
  };
}

/**
 * `local` for `osls invoke local` (the SDK's full default credential chain), `deploy` for everything
 * else (`osls package`/`deploy`, whose bundles `pnpm dev` also runs with credentials in its environment).
 * @param {any} serverless
 * @returns {'local' | 'deploy'}
 */
function buildKind(serverless) {
  const commands = serverless?.processedInput?.commands || [];
  return commands[0] === 'invoke' && commands[1] === 'local' ? 'local' : 'deploy';
}

/**
 * Where serverless-esbuild builds, inside the service (\`.esbuild/\` is git-ignored and is not a package
 * input): one folder per build kind, so a package never shares files with an invoke local build.
 * @param {'local' | 'deploy'} kind
 */
function workFolder(kind) {
  return kind === 'local' ? '.esbuild/invoke-local' : '.esbuild/package';
}

/** @param {any} serverless the serverless instance serverless-esbuild passes in */
function esbuildConfig(serverless) {
  const bundle = serverless?.service.custom?.bundle || {};
  const kind = buildKind(serverless);
  return {
    bundle: true,
    minify: true,
    // Function and class names survive minification (measured in bench/: small size and import cost).
    keepNames: true,
    treeShaking: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    outputFileExtension: '.cjs',
    // ESM builds of the AWS SDK and friends tree-shake far better than their CommonJS builds.
    mainFields: ['module', 'main'],
    // Written for the stack table and for tools; not referenced from the bundle, so Node never loads it.
    sourcemap: 'external',
    sourcesContent: false,
    // Everything is bundled: the packager (unreliable with pnpm) never has to install anything.
    external: [],
    exclude: [],
    packager: 'npm',
    keepOutputDirectory: false,
    // A work folder per kind of build: \`osls package\` removes its own when done, and would otherwise
    // remove (or zip) an \`osls invoke local\` build running in the same service at the same time.
    outputWorkFolder: workFolder(kind),
    // One-shot builds: with incremental contexts, serverless-esbuild leaves a failed build's context
    // open, which keeps osls alive forever after printing the error.
    skipRebuild: true,
    plugins: [
      trimVendorSourceMaps({ mappedPackages: bundle.mappedPackages || [] }),
      lazyBuiltins(),
      ...(kind === 'deploy' ? [credentialsFromEnvironment()] : []),
    ],
    ...(bundle.loader ? { loader: bundle.loader } : {}),
  };
}

module.exports = esbuildConfig;
module.exports.trimVendorSourceMaps = trimVendorSourceMaps;
module.exports.credentialsFromEnvironment = credentialsFromEnvironment;
module.exports.lazyBuiltins = lazyBuiltins;
module.exports.installStackTraceHook = installStackTraceHook;
module.exports.buildKind = buildKind;
module.exports.packageNameOf = packageNameOf;

/** serverless-esbuild options that esbuild itself does not take. */
const SERVERLESS_ESBUILD_ONLY = [
  'outputFileExtension',
  'exclude',
  'packager',
  'keepOutputDirectory',
  'outputWorkFolder',
  'skipRebuild',
];

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
