import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { isVendorSource, mappingsPerSource, type SourceMap, sourceMapCoverage } from '../src/index.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const repoRoot = join(import.meta.dirname, '..', '..', '..');
const sharedConfig = require(join(repoRoot, 'esbuild.config.cjs')) as {
  (serverless: unknown): Record<string, unknown>;
  toEsbuildOptions(config: Record<string, unknown>): Record<string, unknown>;
};
const fixture = join(import.meta.dirname, 'fixtures', 'bundle', 'handler.ts');
const throwLine =
  readFileSync(fixture, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes('THROW_LINE')) + 1;

async function bundle(outdir: string, options: { trim: boolean; mappedPackages?: string[] }): Promise<SourceMap> {
  const config = sharedConfig({ service: { custom: { bundle: { mappedPackages: options.mappedPackages ?? [] } } } });
  const esbuildOptions = sharedConfig.toEsbuildOptions(config);
  await build({
    ...esbuildOptions,
    ...(options.trim ? {} : { plugins: [] }),
    entryPoints: { handler: fixture },
    outdir,
    logLevel: 'silent',
  });
  return JSON.parse(readFileSync(join(outdir, 'handler.mjs.map'), 'utf8')) as SourceMap;
}

describe('Config: esbuild.config.cjs', () => {
  let dir: string;
  let trimmed: SourceMap;
  let untrimmed: SourceMap;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    trimmed = await bundle(join(dir, 'trimmed'), { trim: true });
    untrimmed = await bundle(join(dir, 'untrimmed'), { trim: false });
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the map without sourcesContent', () => {
    expect(trimmed.sourcesContent).toBeUndefined();
  });

  it('trims vendor files out of the map and keeps the workspace files mapped line by line', () => {
    // Act
    const coverage = [...sourceMapCoverage(trimmed)];
    const vendor = coverage.filter(([source]) => isVendorSource(source));
    const own = coverage.filter(([source]) => !isVendorSource(source));

    // Assess: vendor code is one source per package, every segment at line 1; own files keep their lines
    expect(vendor.length).toBeGreaterThan(3);
    expect(vendor.every(([source]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(source))).toBe(true);
    expect(Math.max(...vendor.map(([, c]) => c.lines))).toBe(1);
    expect(own.find(([s]) => s.endsWith('fixtures/bundle/handler.ts'))?.[1].lines).toBeGreaterThanOrEqual(4);
    expect(own.find(([s]) => s.endsWith('common/src/config/env.ts'))?.[1].lines).toBeGreaterThanOrEqual(3);
    expect(trimmed.sources.length).toBeLessThan(untrimmed.sources.length / 5);
  });

  it('maps vendor code fully without the trim, so the trim is what removes it', () => {
    const counts = mappingsPerSource(untrimmed);
    const vendorSegments = [...counts].filter(([s]) => isVendorSource(s)).reduce((sum, [, n]) => sum + n, 0);
    expect(vendorSegments).toBeGreaterThan(1000);
    expect(untrimmed.mappings.length).toBeGreaterThan(5 * trimmed.mappings.length);
  });

  it('keeps an allow-listed vendor package mapped', async () => {
    // Act
    const map = await bundle(join(dir, 'allow'), { trim: true, mappedPackages: ['@aws-sdk/client-sqs'] });

    // Assess: client-sqs keeps its files and lines; every other package is still one line
    const coverage = [...sourceMapCoverage(map)];
    const sqs = coverage.filter(([s]) => s.includes('/@aws-sdk/client-sqs/dist-es/'));
    const others = coverage.filter(([s]) => isVendorSource(s) && !s.includes('/@aws-sdk/client-sqs/'));
    expect(sqs.length).toBeGreaterThan(3);
    expect(sqs.reduce((sum, [, c]) => sum + c.lines, 0)).toBeGreaterThan(20);
    expect(Math.max(...others.map(([, c]) => c.lines))).toBe(1);
  });

  it('emits ESM that loads CommonJS dependencies and reports the .ts file and line of a throw', async () => {
    // Prepare
    const script = `import(${JSON.stringify(join(dir, 'trimmed', 'handler.mjs'))}).then(async (m) => {
      console.log(JSON.stringify(await m.handler({})));
      await m.handler({ fail: true });
    }).catch((e) => { console.log(e.stack); });`;

    // Act
    const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });

    // Assess
    expect(stdout).toContain('{"queue":"q","client":"function"}');
    expect(stdout).toContain('Error: handler failed on purpose');
    expect(stdout).toMatch(new RegExp(`fixtures/bundle/handler\\.ts:${throwLine}:\\d+`));
  });
});
