import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const repoRoot = join(import.meta.dirname, '..', '..', '..');
const { lazyBuiltins } = require(join(repoRoot, 'esbuild.config.cjs')) as { lazyBuiltins(): Plugin };

// Module-load code that touches built-ins the way the AWS SDK does, then reports which of them Node
// had loaded after that load, and after the first real use.
const PROGRAM = `
import { crc32 } from 'node:zlib';
import { getRandomValues, createHash } from 'node:crypto';
import * as https from 'node:https';
const loaded = () => ['zlib', 'crypto', 'https'].filter((name) => process.moduleLoadList.includes('NativeModule ' + name));
const hasCrc32 = typeof crc32 === 'function';
const random = getRandomValues;
const afterLoad = loaded();
const checksum = crc32('hello');
const bytes = random(new Uint8Array(4));
const digest = createHash('sha256').update('x').digest('hex');
const agent = new https.Agent({ keepAlive: false });
console.log(JSON.stringify({
  hasCrc32, afterLoad, checksum, randomLength: bytes.length, digest: digest.slice(0, 8),
  agentIsAgent: agent instanceof https.Agent, afterUse: loaded(),
}));
`;

const EXTENDS_PROGRAM = `
import { Writable } from 'node:stream';
class Collector extends Writable {
  chunks = [];
  _write(chunk, _encoding, callback) { this.chunks.push(chunk); callback(); }
}
const collector = new Collector();
collector.end('abc', () => {
  console.log(JSON.stringify({ text: Buffer.concat(collector.chunks).toString(), isWritable: collector instanceof Writable }));
});
`;

async function bundleAndRun(dir: string, name: string, source: string): Promise<Record<string, unknown>> {
  const outfile = join(dir, `${name}.cjs`);
  await build({
    stdin: { contents: source, loader: 'js', resolveDir: dir },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    outfile,
    logLevel: 'silent',
    plugins: [lazyBuiltins()],
  });
  const { stdout } = await run(process.execPath, [outfile], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() as string);
}

describe('esbuild plugin: lazyBuiltins', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lazy-builtins-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads no built-in for functions read at module load, and the real module on the first call', async () => {
    // Prepare
    const source = PROGRAM;

    // Act
    const result = await bundleAndRun(dir, 'functions', source);

    // Assess
    expect(result).toEqual({
      hasCrc32: true,
      afterLoad: [],
      checksum: 907060870,
      randomLength: 4,
      digest: '2d711642',
      agentIsAgent: true,
      afterUse: ['zlib', 'crypto', 'https'],
    });
  }, 90_000);

  it('lets a class extend a lazily loaded built-in class', async () => {
    // Prepare
    const source = EXTENDS_PROGRAM;

    // Act
    const result = await bundleAndRun(dir, 'extends', source);

    // Assess
    expect(result).toEqual({ text: 'abc', isWritable: true });
  }, 90_000);
});
