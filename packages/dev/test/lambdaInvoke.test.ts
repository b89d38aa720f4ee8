/**
 * The Lambda Invoke API of the real `pnpm dev` process, called with the AWS SDK, and what the terminal
 * shows for each invocation. The service is the first one in services/ (none is named here: the
 * packages know nothing of the services); its functions and sample events are read from the run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { listServices } from '../src/devServices.js';
import {
  type DevProcess,
  eventually,
  REPO_ROOT,
  startDevProcess,
  stopDevProcessesLeftRunning,
} from './helpers/devProcess.js';

const SERVICE = listServices(REPO_ROOT)[0] as string;
const text = (payload: Uint8Array | undefined) => new TextDecoder().decode(payload);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `events/<function>.json`: the sample event a service keeps for each function (`PersistLambdaFunction` → persist). */
function sampleEvent(logicalId: string): Uint8Array | undefined {
  const key = logicalId.replace(/LambdaFunction$/, '');
  const file = join(REPO_ROOT, 'services', SERVICE, 'events', `${key[0]?.toLowerCase()}${key.slice(1)}.json`);
  return existsSync(file) ? new Uint8Array(readFileSync(file)) : undefined;
}

/** `pnpm dev --service SERVICE` on free ports and a data folder of its own, with an SDK client for its Invoke API. */
async function startDev(args: string[]): Promise<{ dev: DevProcess; client: LambdaClient; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'blueprints-dev-invoke-'));
  const dev = await startDevProcess(['--service', SERVICE, '--data-dir', dataDir, '--log-level', 'INFO', ...args]);
  const client = new LambdaClient({
    endpoint: String(dev.ready.endpoints.lambda),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return { dev, client, dataDir };
}

/** Invokes every function that has a sample event with it. */
async function invokeSamples(
  client: LambdaClient,
  functions: Array<{ name: string; logicalId: string }>,
): Promise<Array<{ name: string; response: InvokeCommandOutput }>> {
  const answers: Array<{ name: string; response: InvokeCommandOutput }> = [];
  for (const fn of functions) {
    const payload = sampleEvent(fn.logicalId);
    if (!payload) continue;
    answers.push({
      name: fn.name,
      response: await client.send(new InvokeCommand({ FunctionName: fn.name, Payload: payload })),
    });
  }
  return answers;
}

let dev: DevProcess;
let client: LambdaClient;
let dataDir: string;
let functions: Array<{ name: string; logicalId: string }>;

beforeAll(async () => {
  ({ dev, client, dataDir } = await startDev([]));
  functions = dev.ready.services.find((s) => s.name === SERVICE)?.functions ?? [];
}, 300_000);

afterAll(async () => {
  client?.destroy();
  await dev?.stop();
  // Any other pnpm dev a failed test started and did not stop.
  await stopDevProcessesLeftRunning();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('pnpm dev: the Lambda Invoke API', () => {
  it('prints AWS_ENDPOINT_URL_LAMBDA with the other endpoints and a line per service as it packages', () => {
    // Assess
    expect(dev.ready.endpoints.lambda).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dev.output()).toContain(`AWS_ENDPOINT_URL_LAMBDA=${dev.ready.endpoints.lambda}`);
    expect(dev.output()).toMatch(new RegExp(`(${SERVICE}: package up to date|packaged ${SERVICE} in [\\d.]+ s)`));
  });

  it("returns a function's result for its sample event, with START and REPORT Status: ok in the terminal", async () => {
    // Act
    const answers = await invokeSamples(client, functions);

    // Assess
    expect(answers.length).toBeGreaterThan(0);
    const succeeded = answers.filter((a) => a.response.StatusCode === 200 && a.response.FunctionError === undefined);
    expect(succeeded.length).toBeGreaterThan(0);
    for (const { name, response } of succeeded) {
      expect(() => JSON.parse(text(response.Payload))).not.toThrow();
      const id = escapeRegExp(response.$metadata.requestId as string);
      await eventually(
        async () => new RegExp(`^REPORT ${escapeRegExp(name)} RequestId: ${id} .*Status: ok$`, 'm').test(dev.output()),
        30_000,
      );
      expect(dev.output()).toMatch(new RegExp(`^START ${escapeRegExp(name)} RequestId: ${id}$`, 'm'));
    }
    // --log-level INFO: the handlers' Powertools lines, pretty-printed and prefixed with the function name.
    expect(dev.output()).toMatch(/^\[[\w-]+\] INFO \w[^{]*( \{".+\})?$/m);
    expect(dev.output()).not.toMatch(/^\[[\w-]+\] \{"level"/m);
  }, 120_000);

  it('returns a handler error as FunctionError with the .ts stack, also shown in the terminal', async () => {
    // Act: a null event breaks any handler that reads its event.
    const answers: Array<{ name: string; response: InvokeCommandOutput }> = [];
    for (const fn of functions) {
      const response = await client.send(
        new InvokeCommand({ FunctionName: fn.name, Payload: new TextEncoder().encode('null'), LogType: 'Tail' }),
      );
      answers.push({ name: fn.name, response });
    }

    // Assess
    const failed = answers.filter((a) => a.response.FunctionError === 'Unhandled');
    expect(failed.length).toBeGreaterThan(0);
    for (const { name, response } of failed) {
      const body = JSON.parse(text(response.Payload)) as { errorType: string; errorMessage: string; trace: string[] };
      const frame = body.trace.find((line) => new RegExp(`services/${SERVICE}/src/.+\\.ts:\\d+:\\d+`).test(line));
      expect(frame).toBeDefined();
      expect(Buffer.from(response.LogResult ?? '', 'base64').toString('utf8')).toContain(
        `\tERROR\tInvoke Error \t{"errorType":"${body.errorType}"`,
      );
      const id = escapeRegExp(response.$metadata.requestId as string);
      await eventually(
        async () =>
          new RegExp(`^REPORT ${escapeRegExp(name)} RequestId: ${id} .*Status: error$`, 'm').test(dev.output()),
        30_000,
      );
      expect(dev.output()).toContain(`[${name}] ERROR Invoke Error ${body.errorType}: ${body.errorMessage}`);
      expect(dev.output()).toContain(`[${name}]     ${(frame as string).trim()}`);
    }
  }, 120_000);

  it('answers 404 ResourceNotFoundException for a function no service has', async () => {
    // Act
    const invoked = client.send(new InvokeCommand({ FunctionName: 'no-such-function' }));

    // Assess
    await expect(invoked).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describe('pnpm dev --json-logs', () => {
  it("prints the handlers' log lines as the handlers wrote them (JSON), prefixed with the function name", async () => {
    // Prepare
    const run = await startDev(['--json-logs']);

    // Act
    try {
      const answers = await invokeSamples(run.client, functions);
      const last = answers.at(-1)?.response.$metadata.requestId as string;
      await eventually(
        async () => run.dev.output().includes(`REPORT ${answers.at(-1)?.name} RequestId: ${last}`),
        30_000,
      );
    } finally {
      run.client.destroy();
      await run.dev.stop();
      rmSync(run.dataDir, { recursive: true, force: true });
    }

    // Assess
    const raw = run.dev
      .output()
      .split('\n')
      .filter((line) => /^\[[\w-]+\] \{"level":"INFO"/.test(line));
    expect(raw.length).toBeGreaterThan(0);
    for (const line of raw) expect(() => JSON.parse(line.slice(line.indexOf('] ') + 2))).not.toThrow();
    expect(run.dev.output()).not.toMatch(/^\[[\w-]+\] INFO /m);
  }, 300_000);
});
