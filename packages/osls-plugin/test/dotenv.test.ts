import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  functionEnvironment,
  loadPackagedTemplate,
  readPackagedServiceState,
  TemplateResolver,
} from '@blueprints/packaging';

const run = promisify(execFile);
const PLUGIN_DIR = join(import.meta.dirname, '..');
const OSLS = join(PLUGIN_DIR, '..', '..', 'node_modules', 'osls', 'bin', 'serverless.js');

// A service with `useDotenv: true` whose function declares one variable through `${env:}` (resolved by osls
// when it reads serverless.yml) and one only CloudFormation computes (a custom resource attribute).
const SERVERLESS_YML = `service: dotenv-fixture
frameworkVersion: "4"
useDotenv: true
provider:
  name: aws
  runtime: nodejs22.x
  stage: \${opt:stage, 'dev'}
  region: us-east-1
plugins:
  - "@blueprints/osls-plugin"
custom:
  local:
    environment:
      API_URL: https://from-serverless-yml.example
functions:
  show:
    handler: handler.show
    environment:
      GREETING: \${env:GREETING, 'no greeting'}
      API_URL:
        Fn::GetAtt: [Lookup, Url]
resources:
  Resources:
    Lookup:
      Type: Custom::Lookup
      Properties:
        ServiceToken: arn:aws:lambda:us-east-1:000000000000:function:lookup
`;
const HANDLER = `exports.show = async () => ({ GREETING: process.env.GREETING, API_URL: process.env.API_URL });\n`;

/** A fresh copy of the service with the given dotenv files; the plugin installed as a service installs it. */
function serviceWith(dotenvFiles: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dotenv-fixture-'));
  writeFileSync(join(dir, 'serverless.yml'), SERVERLESS_YML);
  writeFileSync(join(dir, 'handler.cjs'), HANDLER);
  mkdirSync(join(dir, 'node_modules', '@blueprints'), { recursive: true });
  symlinkSync(PLUGIN_DIR, join(dir, 'node_modules', '@blueprints', 'osls-plugin'));
  for (const [name, text] of Object.entries(dotenvFiles)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The environment of a shell with no AWS setup and none of the fixture's variables. */
function shellEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _jestFlags, GREETING: _g, API_URL: _a, ...inherited } = process.env;
  return {
    ...inherited,
    SLS_TELEMETRY_DISABLED: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

/** `osls invoke local -f show` with an event (without one osls waits for it on stdin): what the handler saw. */
async function invokeShow(dir: string, shell: Record<string, string> = {}): Promise<Record<string, string>> {
  const { stdout } = await run(process.execPath, [OSLS, 'invoke', 'local', '-f', 'show', '-d', '{}'], {
    cwd: dir,
    env: shellEnvironment(shell),
    timeout: 150_000,
  });
  return JSON.parse(stdout.slice(stdout.indexOf('{'))) as Record<string, string>;
}

describe('Command: osls invoke local with useDotenv: true', () => {
  const made: string[] = [];
  const service = (files: Record<string, string>) => {
    const dir = serviceWith(files);
    made.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('gives the function .env values: through ${env:} and for a value only CloudFormation computes', async () => {
    // Prepare
    const dir = service({ '.env': 'GREETING=hello from .env\nAPI_URL=https://from-dotenv.example\n' });

    // Act
    const seen = await invokeShow(dir);

    // Assess
    expect(seen).toEqual({ GREETING: 'hello from .env', API_URL: 'https://from-dotenv.example' });
  }, 180_000);

  it('reads .env.<stage> instead of .env when it exists, as osls does', async () => {
    // Prepare: API_URL is only in .env, which osls then does not read
    const dir = service({
      '.env': 'GREETING=hello from .env\nAPI_URL=https://from-dotenv.example\n',
      '.env.dev': 'GREETING=hello from .env.dev\n',
    });

    // Act
    const seen = await invokeShow(dir);

    // Assess
    expect(seen).toEqual({ GREETING: 'hello from .env.dev', API_URL: 'https://from-serverless-yml.example' });
  }, 180_000);

  it('keeps what the shell sets over the file', async () => {
    // Prepare
    const dir = service({ '.env': 'GREETING=hello from .env\nAPI_URL=https://from-dotenv.example\n' });

    // Act
    const seen = await invokeShow(dir, { GREETING: 'hello from the shell', API_URL: 'https://from-shell.example' });

    // Assess
    expect(seen).toEqual({ GREETING: 'hello from the shell', API_URL: 'https://from-shell.example' });
  }, 180_000);
});

describe('Command: osls package with useDotenv: true', () => {
  let dir: string;
  const SECRET = 's3cr3t-only-in-dotenv';

  beforeAll(async () => {
    dir = serviceWith({
      '.env': `GREETING=hello from .env\nAPI_URL=https://from-dotenv.example\nAPI_SECRET=${SECRET}\n`,
    });
    await run(process.execPath, [OSLS, 'package'], { cwd: dir, env: shellEnvironment(), timeout: 150_000 });
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a .env value into the template only where serverless.yml references it, and ships no .env file', async () => {
    // Prepare
    const template = readFileSync(join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8');

    // Act
    const { stdout } = await run('zipinfo', ['-1', join(dir, '.serverless', 'dotenv-fixture.zip')]);

    // Assess: ${env:GREETING} is resolved at package time (as on deploy), the unreferenced secret is nowhere
    expect(template).toContain('hello from .env');
    expect(template).not.toContain(SECRET);
    expect(template).not.toContain('from-dotenv.example');
    expect(stdout.split('\n')).toContain('handler.cjs');
    expect(stdout.split('\n').filter((file) => file.startsWith('.env'))).toEqual([]);
  });

  it('gives the function pnpm dev builds the .env value for what only CloudFormation computes', () => {
    // Prepare
    const state = readPackagedServiceState(dir);
    const resolver = new TemplateResolver(loadPackagedTemplate(dir), {
      stackName: state.stackName,
      region: 'us-east-1',
      accountId: '000000000000',
    });

    // Act: the environment pnpm dev gives the function (functionEnvironment over the packaged state)
    const environment = functionEnvironment(resolver, 'ShowLambdaFunction', state.localEnvironment);

    // Assess
    expect(environment).toEqual({ GREETING: 'hello from .env', API_URL: 'https://from-dotenv.example' });
  });
});
