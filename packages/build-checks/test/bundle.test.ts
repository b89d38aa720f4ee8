import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { isVendorSource, mappingsPerSource, type SourceMap, sourceMapCoverage } from '../src/index.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const repoRoot = join(import.meta.dirname, '..', '..', '..');
const sharedConfig = require(join(repoRoot, 'esbuild.config.cjs')) as {
  (serverless: unknown): Record<string, unknown>;
  toEsbuildOptions(config: Record<string, unknown>): Record<string, unknown>;
  buildKind(serverless: unknown): 'local' | 'deploy';
};
const fixture = join(import.meta.dirname, 'fixtures', 'bundle', 'handler.ts');
const fixtureSource = 'packages/build-checks/test/fixtures/bundle/handler.ts';
const lineOf = (marker: string) =>
  readFileSync(fixture, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(marker)) + 1;
const INVOKE_LOCAL = { processedInput: { commands: ['invoke', 'local'] } };
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Built {
  map: SourceMap;
  bundle: string;
  inputs: string[];
}

async function bundle(
  outdir: string,
  options: { trim?: boolean; mappedPackages?: string[]; serverless?: Record<string, unknown> } = {},
): Promise<Built> {
  const config = sharedConfig({
    ...options.serverless,
    service: { custom: { bundle: { mappedPackages: options.mappedPackages ?? [] } } },
  });
  const esbuildOptions = sharedConfig.toEsbuildOptions(config);
  const result = await build({
    ...esbuildOptions,
    ...(options.trim === false ? { plugins: [] } : {}),
    metafile: true,
    entryPoints: { handler: fixture },
    outdir,
    logLevel: 'silent',
  });
  return {
    map: JSON.parse(readFileSync(join(outdir, 'handler.cjs.map'), 'utf8')) as SourceMap,
    bundle: join(outdir, 'handler.cjs'),
    inputs: Object.keys((result.metafile as Metafile).inputs),
  };
}

/** Runs each of the fixture's failures in a fresh Node process without any flag, as deployed (a prelude runs first). */
async function failures(node: string, bundleFile: string, env: NodeJS.ProcessEnv = {}, prelude = '') {
  const script = `${prelude}
    const m = require(${JSON.stringify(bundleFile)});
    (async () => {
      const out = {};
      for (const fail of ['shapes', 'own', 'async', 'credentials', 'powertools']) {
        try { out[fail] = { result: await m.handler({ fail }) }; } catch (e) {
          out[fail] = { name: e.name, stack: e.stack, errors: e.recordErrors?.map((c) => ({ message: c.message })) };
        }
      }
      out.plain = new Error('not from the bundle').stack;
      console.log(JSON.stringify(out));
    })();`;
  const { stdout } = await run(node, ['-e', script], {
    env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  return JSON.parse(stdout) as Record<
    string,
    { name?: string; stack?: string; errors?: Array<{ message: string }>; result?: { accessKeyId: string } }
  >;
}

/** The Node.js 22 binary of the registry's `node` package (the Lambda runtime's major version). */
function node22(): string {
  return execFileSync('npx', ['-y', 'node@22', '-p', 'process.execPath'], {
    encoding: 'utf8',
    timeout: 170_000,
  }).trim();
}

describe('Config: esbuild.config.cjs', () => {
  let dir: string;
  let trimmed: Built;
  let untrimmed: Built;
  let local: Built;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    trimmed = await bundle(join(dir, 'trimmed'));
    untrimmed = await bundle(join(dir, 'untrimmed'), { trim: false });
    local = await bundle(join(dir, 'local'), { serverless: INVOKE_LOCAL });
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the map without sourcesContent, and the bundle does not point Node at it', () => {
    expect(trimmed.map.sourcesContent).toBeUndefined();
    expect(readFileSync(trimmed.bundle, 'utf8')).not.toContain('sourceMappingURL');
  });

  it('trims vendor files out of the map and keeps the workspace files mapped line by line', () => {
    // Act
    const coverage = [...sourceMapCoverage(trimmed.map)];
    const vendor = coverage.filter(([source]) => isVendorSource(source));
    const own = coverage.filter(([source]) => !isVendorSource(source));

    // Assess: vendor code is one source per package, every segment at line 1; own files keep their lines
    expect(vendor.length).toBeGreaterThan(3);
    expect(vendor.every(([source]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(source))).toBe(true);
    expect(Math.max(...vendor.map(([, c]) => c.lines))).toBe(1);
    expect(own.find(([s]) => s.endsWith('fixtures/bundle/handler.ts'))?.[1].lines).toBeGreaterThanOrEqual(8);
    expect(own.find(([s]) => s.endsWith('common/src/config/env.ts'))?.[1].lines).toBeGreaterThanOrEqual(3);
    expect(trimmed.map.sources.length).toBeLessThan(untrimmed.map.sources.length / 5);
  });

  it('maps vendor code fully without the trim, so the trim is what removes it', () => {
    const counts = mappingsPerSource(untrimmed.map);
    const vendorSegments = [...counts].filter(([s]) => isVendorSource(s)).reduce((sum, [, n]) => sum + n, 0);
    expect(vendorSegments).toBeGreaterThan(1000);
    expect(untrimmed.map.mappings.length).toBeGreaterThan(5 * trimmed.map.mappings.length);
  });

  it('keeps an allow-listed vendor package mapped', async () => {
    // Act
    const { map } = await bundle(join(dir, 'allow'), { mappedPackages: ['@aws-sdk/client-sqs'] });

    // Assess: client-sqs keeps its files and lines; every other package is still one line
    const coverage = [...sourceMapCoverage(map)];
    const sqs = coverage.filter(([s]) => s.includes('/@aws-sdk/client-sqs/dist-es/'));
    const others = coverage.filter(([s]) => isVendorSource(s) && !s.includes('/@aws-sdk/client-sqs/'));
    expect(sqs.length).toBeGreaterThan(3);
    expect(sqs.reduce((sum, [, c]) => sum + c.lines, 0)).toBeGreaterThan(20);
    expect(Math.max(...others.map(([, c]) => c.lines))).toBe(1);
  });

  describe.each([
    ['Node 20 (local)', () => process.execPath],
    ['Node 22 (the Lambda runtime)', node22],
  ])('Stack traces on %s, without --enable-source-maps', (_label, nodeBinary) => {
    let out: Awaited<ReturnType<typeof failures>>;
    let unmapped: Awaited<ReturnType<typeof failures>>;
    let wrapped: Awaited<ReturnType<typeof failures>>;

    beforeAll(async () => {
      const node = nodeBinary();
      [out, unmapped, wrapped] = await Promise.all([
        failures(node, trimmed.bundle),
        failures(node, untrimmed.bundle),
        // A patched Module.wrap makes Node compile the file behind the wrapper's text: every offset shifts.
        failures(
          node,
          trimmed.bundle,
          {},
          "const M = require('node:module'); const wrap = M.wrap; M.wrap = (s) => wrap(s);",
        ),
      ]);
    }, 180_000);

    it('names the .ts file, line and original function name of own frames, and keeps the error name', () => {
      // Assess
      const stack = out.own?.stack ?? '';
      expect(out.own?.name).toBe('FixtureFailureError');
      expect(stack.split('\n')[0]).toBe('FixtureFailureError: handler failed on purpose');
      expect(stack).toMatch(
        new RegExp(
          `\\n    at failOnPurpose \\(${fixtureSource}:${lineOf('THROW_LINE')}:\\d+\\)\\n    at (Object\\.)?handler \\(`,
        ),
      );
      expect(stack).not.toMatch(/handler\.cjs:\d+/);
    });

    it('writes each frame as V8 does, with only the location mapped (static method, alias, new, bare location)', () => {
      // Prepare: the same code without the hook, as V8 writes it, locations in the bundle file
      const bundleLocation = new RegExp(`${escapeRegExp(untrimmed.bundle)}:\\d+:\\d+`, 'g');
      const ownLocation = new RegExp(`${escapeRegExp(fixtureSource)}:\\d+:\\d+`, 'g');

      // Act
      const mapped = (out.shapes?.stack ?? '').replace(ownLocation, 'LOCATION');
      const asV8 = (unmapped.shapes?.stack ?? '').replace(bundleLocation, 'LOCATION');

      // Assess: every frame shape is there, and the texts are the same
      expect(mapped).toContain('\n    at LOCATION\n    at Array.forEach (<anonymous>)\n    at Thrower.fail (LOCATION)');
      expect(mapped).toContain('\n    at new Thrower (LOCATION)\n    at Object.aliased [as alias] (LOCATION)');
      expect(mapped).toBe(asV8);
    });

    it('maps frames right when the loader compiles the file behind a wrapper (a patched Module.wrap)', () => {
      expect(wrapped.own?.stack).toBe(out.own?.stack);
      expect(wrapped.shapes?.stack).toBe(out.shapes?.stack);
    });

    it('maps async frames', () => {
      const stack = out.async?.stack ?? '';
      expect(stack).toMatch(
        new RegExp(`\\n    at failAfterAwait \\(${fixtureSource}:${lineOf('ASYNC_THROW_LINE')}:\\d+\\)`),
      );
      expect(stack).toMatch(
        new RegExp(`\\n    at async (Object\\.)?handler \\(${fixtureSource}:${lineOf('ASYNC_CALL_LINE')}:\\d+\\)`),
      );
    });

    it('names the package of frames in vendor code', () => {
      // Assess: the deploy build's credential provider (environment only) throws inside the SDK
      const stack = out.credentials?.stack ?? '';
      expect(out.credentials?.name).toBe('CredentialsProviderError');
      expect(stack).toMatch(/\n {4}at (.+ \()?node_modules\/@aws-sdk\/credential-provider-env\)?\n/);
      expect(stack).not.toMatch(/handler\.cjs:\d+/);
    });

    it("keeps Powertools' error names and the class names it compares at run time", () => {
      // Assess: minified with keepNames, Powertools still finds its own class names
      expect(out.powertools?.name).toBe('FullBatchFailureError');
      expect(out.powertools?.stack?.split('\n')[0]).toMatch(/^FullBatchFailureError: /);
      expect(out.powertools?.errors).toEqual([{ message: 'BatchProcessor' }]);
    });

    it('leaves stacks with no frame in a bundle as Node formats them', () => {
      expect(out.plain).toMatch(/^Error: not from the bundle\n {4}at \[eval\]:\d+:\d+/);
    });
  });

  it('loads heavy Node built-ins only when the code first uses them', async () => {
    // Prepare: the invoke local build bundles the full credential chain, whose process provider imports child_process
    const script = `const before = new Set(process.moduleLoadList);
      require(${JSON.stringify(local.bundle)});
      console.log(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))));`;
    expect(readFileSync(local.bundle, 'utf8')).toContain('node:child_process');

    // Act
    const { stdout } = await run(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });

    // Assess: what module code uses at load (stream) loads; what only a provider or a request would use does not
    const loaded = JSON.parse(stdout) as string[];
    expect(loaded).toContain('NativeModule stream');
    for (const unused of ['child_process', 'http2', 'readline', 'https']) {
      expect(loaded).not.toContain(`NativeModule ${unused}`);
    }
  });

  describe('Credentials: deploy builds read the environment only, invoke local builds the full chain', () => {
    let profileFiles: NodeJS.ProcessEnv;

    beforeAll(() => {
      const credentialsFile = join(dir, 'credentials');
      writeFileSync(credentialsFile, '[fixture]\naws_access_key_id = FROMPROFILE\naws_secret_access_key = secret\n');
      profileFiles = {
        AWS_PROFILE: 'fixture',
        AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
        AWS_CONFIG_FILE: join(dir, 'no-config'),
        AWS_EC2_METADATA_DISABLED: 'true',
        HOME: dir,
      };
    });

    it('leaves the default chain out of deploy builds and keeps it in invoke local builds', () => {
      const chain = (inputs: string[]) =>
        inputs.filter((i) => /^[^:]*credential-provider-(ini|sso|process|node)\//.test(i));
      expect(chain(trimmed.inputs)).toEqual([]);
      expect(chain(local.inputs).length).toBeGreaterThan(3);
      expect(sharedConfig.buildKind(INVOKE_LOCAL)).toBe('local');
      expect(sharedConfig.buildKind({ processedInput: { commands: ['package'] } })).toBe('deploy');
    });

    it('resolves credentials from the environment in both builds', async () => {
      // Act
      const env = { AWS_ACCESS_KEY_ID: 'FROMENV', AWS_SECRET_ACCESS_KEY: 'secret' };
      const [deployed, invoked] = await Promise.all([
        failures(process.execPath, trimmed.bundle, env),
        failures(process.execPath, local.bundle, env),
      ]);

      // Assess
      expect(deployed.credentials?.result?.accessKeyId).toBe('FROMENV');
      expect(invoked.credentials?.result?.accessKeyId).toBe('FROMENV');
    });

    it('reads a profile only in the invoke local build', async () => {
      // Act
      const [deployed, invoked] = await Promise.all([
        failures(process.execPath, trimmed.bundle, profileFiles),
        failures(process.execPath, local.bundle, profileFiles),
      ]);

      // Assess
      expect(invoked.credentials?.result?.accessKeyId).toBe('FROMPROFILE');
      expect(deployed.credentials?.name).toBe('CredentialsProviderError');
      expect(deployed.credentials?.stack).toContain('Unable to find environment variable credentials');
    });
  });

  it('builds the invoke local bundle with the same stack mapping', async () => {
    const out = await failures(process.execPath, local.bundle);
    expect(out.own?.stack).toMatch(new RegExp(`at failOnPurpose \\(${fixtureSource}:${lineOf('THROW_LINE')}:\\d+\\)`));
    expect(existsSync(local.bundle)).toBe(true);
  });
});
