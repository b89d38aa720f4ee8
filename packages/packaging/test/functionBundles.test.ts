import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FunctionBundles } from '../src/functionBundles.js';
import { type PackagedProject, packagedProject } from './helpers/packagedProject.js';

const run = promisify(execFile);

/** Calls a bundle's handler in a fresh Node process, as a cold start would; answers its result or its error's stack. */
async function invokeBundle(file: string, event: unknown): Promise<{ result?: unknown; stack?: string }> {
  const script = `require(${JSON.stringify(file)}).handler(${JSON.stringify(event)})
    .then((result) => console.log(JSON.stringify({ result })), (e) => console.log(JSON.stringify({ stack: e.stack })));`;
  const { stdout } = await run(process.execPath, ['-e', script], { timeout: 20_000 });
  return JSON.parse(stdout) as { result?: unknown; stack?: string };
}

describe('Class: FunctionBundles', () => {
  let project: PackagedProject;
  let bundles: FunctionBundles;

  beforeEach(() => {
    project = packagedProject();
    bundles = FunctionBundles.create(project.serviceDir, project.path('.local/hot/hello'));
  });

  afterEach(async () => {
    await bundles.dispose();
    rmSync(project.root, { recursive: true, force: true });
  });

  it('counts every function as affected by any file before their first build', () => {
    // Act
    const affected = bundles.affectedBy(project.path('services/hello/README.md'));

    // Assess
    expect(affected.sort()).toEqual(['bye', 'hello']);
  });

  it("names the functions whose bundle reads a file, from each build's metafile", async () => {
    // Act
    await bundles.warm();

    // Assess
    expect({
      message: bundles.affectedBy(project.path('services/hello/src/greeting/message.ts')),
      sharedPackage: bundles.affectedBy(project.path('packages/shared/src/punctuation.ts')),
      bye: bundles.affectedBy(project.path('services/hello/src/handlers/bye.ts')),
      readme: bundles.affectedBy(project.path('services/hello/README.md')),
    }).toEqual({ message: ['hello'], sharedPackage: ['hello'], bye: ['bye'], readme: [] });
    expect([...bundles.sourceFiles]).toContain(project.path('packages/shared/src/punctuation.ts'));
  }, 60_000);

  it('publishes each rebuild in a folder of its own, with the new code', async () => {
    // Prepare
    await bundles.warm();
    const first = await bundles.rebuild(['hello']);
    project.write('services/hello/src/greeting/message.ts', 'export const message = (name: string) => `hi ${name}`;\n');

    // Act
    const second = await bundles.rebuild(['hello']);

    // Assess
    const [before, after] = [first.rebuilt[0]?.folder, second.rebuilt[0]?.folder] as [string, string];
    expect(second).toEqual({
      rebuilt: [{ key: 'hello', name: 'hello-dev-hello', folder: expect.any(String) }],
      failed: [],
      ms: expect.any(Number),
    });
    expect(after).not.toBe(before);
    const file = (folder: string) => join(folder, 'src', 'handlers', 'hello.cjs');
    expect(await invokeBundle(file(before), { name: 'world' })).toEqual({ result: 'hello world!' });
    expect(await invokeBundle(file(after), { name: 'world' })).toEqual({ result: 'hi world!' });
  }, 60_000);

  it("maps a rebuilt bundle's stack traces to the .ts file and line, as the packaged bundle does", async () => {
    // Act
    const { rebuilt } = await bundles.rebuild(['hello']);
    const { stack } = await invokeBundle(join(rebuilt[0]?.folder as string, 'src', 'handlers', 'hello.cjs'), {
      name: 'world',
      fail: true,
    });

    // Assess: line 5 of the handler throws
    expect(stack).toMatch(/failed on purpose\n\s+at .*services\/hello\/src\/handlers\/hello\.ts:5:\d+/);
  }, 60_000);

  it('reports a build error with its file and line, and publishes nothing for that function', async () => {
    // Prepare
    await bundles.warm();
    project.write('services/hello/src/greeting/message.ts', 'export const message = (name: string) => ;\n');

    // Act
    const result = await bundles.rebuild(['hello', 'bye']);

    // Assess
    expect(result.rebuilt.map((f) => f.key)).toEqual(['bye']);
    expect(result.failed).toEqual([
      { key: 'hello', name: 'hello-dev-hello', message: expect.stringMatching(/src\/greeting\/message\.ts:1: /) },
    ]);
  }, 60_000);
});
