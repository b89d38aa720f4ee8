import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePackaged, readPackagedFile } from '@blueprints/packaging';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const osls = join(repoRoot, 'node_modules', 'osls', 'bin', 'serverless.js');
const servicesDir = join(repoRoot, 'services');
const services = readdirSync(servicesDir).filter((name) => existsSync(join(servicesDir, name, 'serverless.yml')));
// A ceiling that catches the known hang (the credential chain probing the instance metadata endpoint
// for minutes), not a speed bar: osls alone takes 10-35 s to start when the two cores are shared.
const LIMIT_MS = 90_000;

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

/** The environment of a machine with no AWS credentials or config: only PATH and a fresh HOME. */
function credentialFreeEnv(): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'no-aws-home-'));
  homes.push(home);
  return {
    PATH: process.env.PATH,
    HOME: home,
    SLS_TELEMETRY_DISABLED: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** The function keys of a packaged service (`<service>-dev-<key>`). */
function functionKeys(service: string): string[] {
  const dir = join(servicesDir, service);
  const template = JSON.parse(readPackagedFile(dir, undefined, 'cloudformation-template-update-stack.json'));
  const prefix = `${service}-dev-`;
  return Object.values(template.Resources as Record<string, { Type: string; Properties: { FunctionName?: string } }>)
    .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName?.startsWith(prefix))
    .map((r) => r.Properties.FunctionName!.slice(prefix.length));
}

describe.each(services)('Command: osls invoke local (%s)', (service) => {
  const dir = join(servicesDir, service);

  beforeAll(() => ensurePackaged(dir), 300_000);

  it('has a sample event for every function', () => {
    const keys = functionKeys(service);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => !existsSync(join(dir, 'events', `${key}.json`)))).toEqual([]);
  });

  it(`runs every function with its sample event with no credentials or network, each in under ${LIMIT_MS / 1000} s`, async () => {
    for (const fn of functionKeys(service).filter((key) => existsSync(join(dir, 'events', `${key}.json`)))) {
      const event = `events/${fn}.json`;
      // Act
      const started = Date.now();
      const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
        execFile(
          process.execPath,
          [osls, 'invoke', 'local', '-f', fn, '-p', event],
          { cwd: dir, env: credentialFreeEnv(), timeout: LIMIT_MS, killSignal: 'SIGKILL' },
          (error, stdout, stderr) =>
            resolve({ code: error ? ((error.code as number) ?? null) : 0, output: stdout + stderr }),
        );
      });
      const elapsed = Date.now() - started;

      // Assess: it finished in time, loaded the bundle, and printed something
      const where = `${service}/${fn} (${elapsed} ms, exit ${result.code}):\n${result.output}`;
      if (elapsed >= LIMIT_MS) throw new Error(`invoke local timed out: ${where}`);
      for (const broken of [
        'Exception encountered when loading',
        'MODULE_NOT_FOUND',
        'Unsupported environment variable format',
      ]) {
        if (result.output.includes(broken)) throw new Error(`invoke local could not run the function: ${where}`);
      }
      expect(result.output.trim().length).toBeGreaterThan(0);
    }
  }, 900_000); // up to ten functions a service, each within LIMIT_MS
});
