/**
 * The watcher of hot reload on a project on disk: which saves rebuild which functions, which are
 * ignored, and which hand the service to a rewire. The rebuilds are real (esbuild); the target
 * records what it is told instead of running a dev environment.
 */
import { rmSync, utimesSync } from 'node:fs';
import type { LocalService, RebuiltBundle } from '@blueprints/local-stack';
import { type PackagedProject, packagedProject } from '../../packaging/test/helpers/packagedProject.js';
import { HotReload, type HotReloadTarget } from '../src/hotReload.js';

/** What the running environment would have been told. */
class RecordingTarget implements HotReloadTarget {
  readonly calls: string[] = [];

  reloadFunctions(service: string, rebuilt: RebuiltBundle[]): void {
    this.calls.push(`reload ${service}: ${rebuilt.map((f) => f.name).join(', ')}`);
  }

  async rewireService(service: string): Promise<{ service: LocalService; notes: string[] }> {
    this.calls.push(`rewire ${service}`);
    return { service: {} as LocalService, notes: [] };
  }
}

/** Resolves with the first line (from now on) that matches. */
function lineMatching(lines: string[], listeners: Array<() => boolean>, pattern: RegExp): Promise<string> {
  const from = lines.length;
  return new Promise((resolve) => {
    const check = () => {
      const line = lines.slice(from).find((l) => pattern.test(l));
      if (line) resolve(line);
      return line !== undefined;
    };
    if (!check()) listeners.push(check);
  });
}

describe('Class: HotReload', () => {
  let project: PackagedProject;
  let target: RecordingTarget;
  let hot: HotReload;
  let lines: string[];
  let listeners: Array<() => boolean>;
  const next = (pattern: RegExp) => lineMatching(lines, listeners, pattern);

  beforeEach(async () => {
    project = packagedProject();
    target = new RecordingTarget();
    lines = [];
    listeners = [];
    hot = HotReload.start({
      services: [{ name: 'hello', dir: project.serviceDir }],
      dataDir: project.path('.local'),
      target,
      onLine: (line) => {
        lines.push(line);
        for (const listener of listeners.splice(0)) if (!listener()) listeners.push(listener);
      },
    });
    await hot.ready;
  }, 60_000);

  afterEach(async () => {
    await hot.close();
    rmSync(project.root, { recursive: true, force: true });
  });

  it('rebuilds only the functions whose bundle reads the edited file, and says how long it took', async () => {
    // Act
    const rebuilt = next(/^rebuilt /);
    project.write('services/hello/src/greeting/message.ts', 'export const message = (name: string) => `hi ${name}`;\n');

    // Assess
    expect(await rebuilt).toMatch(/^rebuilt hello\/hello in \d+ ms$/);
    expect(target.calls).toEqual(['reload hello: hello-dev-hello']);
  }, 30_000);

  it('rebuilds the functions that bundle an edited workspace package', async () => {
    // Act
    const rebuilt = next(/^rebuilt /);
    project.write('packages/shared/src/punctuation.ts', "export const punctuation = '?';\n");

    // Assess
    expect(await rebuilt).toMatch(/^rebuilt hello\/hello in/);
  }, 30_000);

  it('ignores a touch and a rewrite that leave the content as it was', async () => {
    // Prepare
    const message = project.path('services/hello/src/greeting/message.ts');

    // Act: both no-op saves, then (later) a real edit of the other function
    utimesSync(message, new Date(), new Date());
    project.write(
      'services/hello/src/greeting/message.ts',
      'export const message = (name: string) => `hello ${name}`;\n',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rebuilt = next(/^rebuilt /);
    project.write('services/hello/src/handlers/bye.ts', "export const handler = async () => 'see you';\n");
    await rebuilt;

    // Assess: the batches are handled in order, so a rebuild for the no-op saves would come first
    expect(target.calls).toEqual(['reload hello: hello-dev-bye']);
  }, 30_000);

  it('hands the service to a rewire when a file its serverless.yml includes changes', async () => {
    // Act
    const rewired = next(/^rewired /);
    project.write('shared.yml', 'memorySize: 512\n');

    // Assess
    expect(await rewired).toMatch(/^rewired hello in [\d.]+ s$/);
    expect(target.calls).toEqual(['rewire hello']);
  }, 30_000);

  it('keeps the previous bundle and says why when a rebuild fails', async () => {
    // Act
    const failed = next(/^✖ /);
    project.write('services/hello/src/greeting/message.ts', 'export const message = (name: string) => ;\n');

    // Assess
    expect(await failed).toMatch(/^✖ rebuild of hello\/hello failed .*src\/greeting\/message\.ts:1: /);
    expect(target.calls).toEqual([]);
  }, 30_000);

  it('leaves out, with a line saying why, a service whose handler has no source file', async () => {
    // Prepare
    const broken = packagedProject();
    rmSync(broken.path('services/hello/src/handlers/bye.ts'));
    const said: string[] = [];

    // Act
    const other = HotReload.start({
      services: [{ name: 'broken', dir: broken.serviceDir }],
      dataDir: broken.path('.local'),
      target,
      onLine: (line) => said.push(line),
    });
    await other.ready;
    await other.close();
    rmSync(broken.root, { recursive: true, force: true });

    // Assess
    expect(said[0]).toMatch(/^hot reload is off for broken: .*no source file for handler src\/handlers\/bye\.handler/);
  });
});
