import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensurePackaged, readPackagedFile, withPackagedFile } from '@blueprints/packaging';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..', '..');
const servicesDir = join(repoRoot, 'services');
const services = readdirSync(servicesDir).filter((name) => existsSync(join(servicesDir, name, 'serverless.yml')));

interface PackagedFunction {
  key: string;
  handler: string;
  environment: Record<string, string>;
}

/** Every function of a packaged service with its deployed environment (CloudFormation-computed values from custom.local.environment, or a placeholder). */
function packagedFunctions(dir: string): PackagedFunction[] {
  const template = JSON.parse(readPackagedFile(dir, undefined, 'cloudformation-template-update-stack.json')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const state = JSON.parse(readPackagedFile(dir, undefined, 'serverless-state.json')) as {
    service: {
      functions: Record<string, { name: string }>;
      custom?: { local?: { environment?: Record<string, unknown> } };
    };
  };
  const local = state.service.custom?.local?.environment ?? {};
  return Object.entries(state.service.functions).map(([key, fn]) => {
    const resource = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === fn.name,
    );
    const variables = ((resource?.Properties.Environment as { Variables?: Record<string, unknown> })?.Variables ??
      {}) as Record<string, unknown>;
    const environment = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [
        name,
        typeof value === 'object' ? String(local[name] ?? `placeholder-${name.toLowerCase()}`) : String(value),
      ]),
    );
    return { key, handler: String(resource?.Properties.Handler), environment };
  });
}

/**
 * Loads a deployed bundle in Node 22 and calls its handler with an event and a context whose first
 * property read throws: the error is thrown from inside the handler's own code (or the code it calls),
 * whatever the handler does with it afterwards, and its stack is read afterwards.
 */
const CHILD = `
const [file, exportName] = process.argv.slice(1);
const m = require(file);
let captured;
const trap = (what) => new Proxy({}, { get(_, key) {
  if (typeof key === 'symbol' || key === 'then' || key === 'toJSON') return undefined;
  captured ??= new Error(what + '.' + String(key) + ' read by the handler');
  throw captured;
} });
Promise.resolve()
  .then(() => m[exportName](trap('event'), trap('context')))
  .catch((error) => { captured ??= error; })
  .finally(() => { console.log('@@stack ' + JSON.stringify(captured ? captured.stack : null)); process.exit(0); });
`;

function node22(): string {
  return execFileSync('npx', ['-y', 'node@22', '-p', 'process.execPath'], {
    encoding: 'utf8',
    timeout: 170_000,
  }).trim();
}

describe.each(services)('Deployed stack traces: %s on Node 22', (service) => {
  const dir = join(servicesDir, service);
  let node: string;
  let unpacked: string;

  beforeAll(async () => {
    node = node22();
    await ensurePackaged(dir);
    unpacked = mkdtempSync(join(tmpdir(), `stacks-${service}-`));
  }, 300_000);

  afterAll(() => rmSync(unpacked, { recursive: true, force: true }));

  it('deploys without --enable-source-maps', () => {
    for (const fn of packagedFunctions(dir)) expect(fn.environment.NODE_OPTIONS ?? '').not.toContain('source-maps');
  });

  it("names the .ts file, line and original function name of the handler's own frames", async () => {
    for (const fn of packagedFunctions(dir)) {
      // Prepare: the function's zip as Lambda unpacks it
      const target = join(unpacked, fn.key);
      withPackagedFile(dir, undefined, `${fn.key}.zip`, (zip) =>
        execFileSync('unzip', ['-o', '-q', zip, '-d', target]),
      );
      const dot = fn.handler.lastIndexOf('.');
      const bundle = join(target, fn.handler.slice(0, dot));
      const file = ['.cjs', '.mjs', '.js'].map((ext) => bundle + ext).find(existsSync) as string;

      // Act: the deployed environment, no flags, placeholder credentials, AWS endpoints on a closed port
      const { stdout } = await run(node, ['-e', CHILD, file, fn.handler.slice(dot + 1)], {
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...fn.environment,
        },
      });
      const stack = JSON.parse(
        stdout
          .split('\n')
          .find((l) => l.startsWith('@@stack '))
          ?.slice(8) ?? 'null',
      ) as string | null;

      // Assess: a frame in the service's own source, with a name that source declares
      expect({ fn: fn.key, stack }).toEqual({ fn: fn.key, stack: expect.any(String) });
      const frames = [
        ...(stack as string).matchAll(/\n {4}at (?:async )?(\S+) \(((?:services|packages)\/[^:()]+\.ts):(\d+):\d+\)/g),
      ];
      const own = frames.find(([, , source]) => source?.startsWith(`services/${service}/src/`));
      expect({ fn: fn.key, own: own?.[0] ?? stack }).toEqual({ fn: fn.key, own: expect.stringContaining('.ts:') });
      for (const [, name, source, line] of frames) {
        const text = readFileSync(join(repoRoot, source as string), 'utf8');
        const bare = (name as string).split('.').pop() as string;
        expect({ frame: `${name} ${source}:${line}`, declared: text.includes(bare) }).toEqual({
          frame: `${name} ${source}:${line}`,
          declared: true,
        });
        expect(Number(line)).toBeLessThanOrEqual(text.split('\n').length);
      }
    }
  }, 240_000);
});
