/**
 * What builds leave behind. `osls invoke local` and `osls package` in the same service build in
 * separate work folders: a package removes only its own when done, so it never deletes (or zips) an
 * invoke local build, which is a different build (the SDK's full credential chain), running at the
 * same time. And a package through ensurePackaged leaves nothing in the temp folder.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { ensurePackaged } from '@blueprints/packaging';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..', '..');
const osls = join(repoRoot, 'node_modules', 'osls', 'bin', 'serverless.js');

/** A one-function service (`<temp>/service`, beside its own temp folder `<temp>/tmp`) on the shared bundling config, with the repository's osls and serverless-esbuild. */
function fixtureService(functionKey = 'hello'): string {
  const root = mkdtempSync(join(tmpdir(), 'work-folders-'));
  const dir = join(root, 'service');
  mkdirSync(dir);
  mkdirSync(join(root, 'tmp'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'serverless.yml'),
    `service: work-folders
frameworkVersion: "4"
provider:
  name: aws
  runtime: nodejs22.x
  region: us-east-1
plugins:
  - serverless-esbuild
package:
  individually: true
custom:
  esbuild:
    config: ${relative(dir, join(repoRoot, 'esbuild.config.cjs'))}
functions:
  ${functionKey}:
    handler: handler.hello
`,
  );
  writeFileSync(join(dir, 'handler.ts'), `export const hello = async () => ({ greeting: 'hello from the bundle' });\n`);
  return dir;
}

/** osls in the service folder, as on a machine with no AWS setup. */
function oslsIn(dir: string, args: string[]) {
  return run(process.execPath, [osls, ...args], {
    cwd: dir,
    timeout: 120_000,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      // serverless-esbuild leaves a copy of each zip's files in the temp folder: keep it in the fixture.
      TMPDIR: join(dir, '..', 'tmp'),
      SLS_TELEMETRY_DISABLED: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
}

describe('Build work folders of osls invoke local and osls package', () => {
  let dir: string;

  beforeAll(() => {
    dir = fixtureService();
  });

  afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('leaves the invoke local build in place when a package of the same service finishes', async () => {
    // Prepare: an invoke local build, as `osls invoke local` leaves it
    const invoked = await oslsIn(dir, ['invoke', 'local', '-f', 'hello', '-d', '{}']);
    expect(invoked.stdout).toContain('hello from the bundle');
    const localBundles = readdirSync(join(dir, '.esbuild'), { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('handler.cjs'))
      .map((path) => join(dir, '.esbuild', path));
    expect(localBundles).toHaveLength(1);
    const [localBundle] = localBundles as [string];
    const before = readFileSync(localBundle, 'utf8');

    // Act
    await oslsIn(dir, ['package']);

    // Assess: the package built and removed only its own folder; the invoke local build is untouched
    expect(readFileSync(localBundle, 'utf8')).toBe(before);
    expect(
      readdirSync(join(dir, '.esbuild'), { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.cjs')),
    ).toEqual([relative(join(dir, '.esbuild'), localBundle)]);
    const zipped = execFileSync('unzip', ['-Z1', join(dir, '.serverless', 'hello.zip')], { encoding: 'utf8' });
    expect(zipped.split('\n').filter(Boolean).sort()).toEqual(['handler.cjs', 'handler.cjs.map']);
  }, 300_000);
});

describe('Packaging with ensurePackaged', () => {
  let dir: string;

  afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('leaves nothing in the temp folder (serverless-esbuild copies every zip’s files there and keeps them)', async () => {
    // Prepare: a function name nothing else uses, which serverless-esbuild's temp folders start with
    const key = `leftovers${process.pid}`;
    dir = fixtureService(key);

    // Act
    await ensurePackaged(dir);

    // Assess
    expect(readdirSync(join(dir, '.serverless'))).toContain(`${key}.zip`);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`${key}-`))).toEqual([]);
  }, 300_000);
});
