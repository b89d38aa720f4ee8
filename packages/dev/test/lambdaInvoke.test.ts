/**
 * The Lambda Invoke API of the real `pnpm dev` process, called with the AWS SDK, and what the terminal
 * shows for each invocation. The service is the first one in services/ (none is named here: the
 * packages know nothing of the services); its functions and sample events are read from the run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { listServices } from '../src/devServices.js';
import { type DevProcess, eventually, REPO_ROOT, startDevProcess } from './helpers/devProcess.js';

const SERVICE = listServices(REPO_ROOT)[0] as string;
const text = (payload: Uint8Array | undefined) => new TextDecoder().decode(payload);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `events/<function>.json`: the sample event a service keeps for each function (`PersistLambdaFunction` → persist). */
function sampleEvent(logicalId: string): Uint8Array | undefined {
  const key = logicalId.replace(/LambdaFunction$/, '');
  const file = join(REPO_ROOT, 'services', SERVICE, 'events', `${key[0]?.toLowerCase()}${key.slice(1)}.json`);
  return existsSync(file) ? new Uint8Array(readFileSync(file)) : undefined;
}

let dev: DevProcess;
let client: LambdaClient;
let functions: Array<{ name: string; logicalId: string }>;

beforeAll(async () => {
  dev = await startDevProcess(['--service', SERVICE, '--log-level', 'INFO']);
  functions = dev.ready.services.find((s) => s.name === SERVICE)?.functions ?? [];
  client = new LambdaClient({
    endpoint: String(dev.ready.endpoints.lambda),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}, 300_000);

afterAll(async () => {
  client?.destroy();
  await dev?.stop();
}, 60_000);

describe('pnpm dev: the Lambda Invoke API', () => {
  it('prints AWS_ENDPOINT_URL_LAMBDA with the other endpoints and a line per service as it packages', () => {
    // Assess
    expect(dev.ready.endpoints.lambda).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dev.output()).toContain(`AWS_ENDPOINT_URL_LAMBDA=${dev.ready.endpoints.lambda}`);
    expect(dev.output()).toMatch(new RegExp(`(${SERVICE}: package up to date|packaged ${SERVICE} in [\\d.]+ s)`));
  });

  it("returns a function's result for its sample event, with START and REPORT Status: ok in the terminal", async () => {
    // Prepare
    const samples = functions.flatMap((fn) => {
      const payload = sampleEvent(fn.logicalId);
      return payload ? [{ fn, payload }] : [];
    });
    expect(samples.length).toBeGreaterThan(0);

    // Act
    const answers: Array<{ name: string; response: InvokeCommandOutput }> = [];
    for (const { fn, payload } of samples) {
      answers.push({
        name: fn.name,
        response: await client.send(new InvokeCommand({ FunctionName: fn.name, Payload: payload })),
      });
    }

    // Assess
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
