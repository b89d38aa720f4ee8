/**
 * The packaged authorizer (the bundle `osls package` built) reading its JWT secret from the local
 * Secrets Manager: rotation without a restart, and clean denials before IoT Core's 5 s timeout when
 * Secrets Manager stalls, is slow, fails or drops the connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultyHttpServer } from '@blueprints/fault-injection';
import { bundleHandlerLoader, functionsFromTemplate, type LocalFunction, LocalLambda } from '@blueprints/local-runtime';
import { createSecretsFromTemplate, LocalSecretsManager } from '@blueprints/local-secrets-manager';
import { packagedFileNames, readPackagedFile, type TemplateResolver } from '@blueprints/packaging';
import type { IotAuthorizerEvent } from '../src/authorization/credentials.js';
import type { IotAuthorizerResponse } from '../src/authorization/subjectPolicy.js';
import { authorizerEvent, signToken } from './helpers/factories.js';
import { packagedResolver, SERVICE_DIR } from './helpers/packagedService.js';

let resolver: TemplateResolver;
let secretsManager: LocalSecretsManager;
let secretArn: string;
let authorizerFunction: LocalFunction;
const workDirs: string[] = [];

beforeAll(async () => {
  resolver = await packagedResolver();
  // Only CloudFormation knows the account's IoT endpoint; the authorizer does not use it.
  resolver.overrides.set('IotEndpoint.Address', 'example-ats.iot.us-east-1.amazonaws.com');
  secretsManager = await LocalSecretsManager.start({
    region: resolver.stack.region,
    accountId: resolver.stack.accountId,
  });
  const [secret] = createSecretsFromTemplate(resolver, secretsManager);
  secretArn = secret?.arn as string;
  authorizerFunction = functionsFromTemplate(resolver).find(
    (f) => f.logicalId === 'AuthorizerLambdaFunction',
  ) as LocalFunction;
}, 200_000);

afterAll(async () => {
  await secretsManager.close();
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

/** The packaged authorizer in a fresh execution environment, with `environment` on top of the template's. */
function packagedAuthorizer(environment: Record<string, string>) {
  const workDir = mkdtempSync(join(tmpdir(), 'iot-authorizer-'));
  workDirs.push(workDir);
  const fn = {
    ...authorizerFunction,
    environment: { ...authorizerFunction.environment, POWERTOOLS_LOG_LEVEL: 'SILENT', ...environment },
  };
  const lambda = new LocalLambda([fn], bundleHandlerLoader(SERVICE_DIR, workDir), {
    AWS_REGION: resolver.stack.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  return {
    timeoutMs: fn.timeoutSeconds * 1000,
    invoke: (event: IotAuthorizerEvent) => lambda.invoke(fn.name, event) as Promise<IotAuthorizerResponse>,
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const tokenFor = (secret: string) =>
  signToken({ sub: 'alice', iat: nowSeconds() - 5, exp: nowSeconds() + 600 }, secret);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Packaged authorizer: JWT secret from Secrets Manager', () => {
  it('uses a rotated secret on the next call after the cache age, without a restart', async () => {
    // Prepare
    const before = 'secret-before-rotation-0123456789-abcdefghij';
    const after = 'secret-after-rotation-9876543210-zyxwvutsrq';
    secretsManager.putSecretValue(secretArn, before);
    const authorizer = packagedAuthorizer({
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      JWT_SECRET_MAX_AGE_SECONDS: '1',
    });
    const reads = secretsManager.requestCount('GetSecretValue');

    // Act
    const first = await authorizer.invoke(authorizerEvent({ password: await tokenFor(before) }));
    secretsManager.putSecretValue(secretArn, after);
    const cachedOld = await authorizer.invoke(authorizerEvent({ password: await tokenFor(after) }));
    await sleep(1500);
    const rotatedNew = await authorizer.invoke(authorizerEvent({ password: await tokenFor(after) }));
    const rotatedOld = await authorizer.invoke(authorizerEvent({ password: await tokenFor(before) }));

    // Assess
    expect(first.isAuthenticated).toBe(true);
    expect(cachedOld.isAuthenticated).toBe(false);
    expect(rotatedNew.isAuthenticated).toBe(true);
    expect(rotatedOld.isAuthenticated).toBe(false);
    // One read per cache age: two in all, although four connections were authorized.
    expect(secretsManager.requestCount('GetSecretValue') - reads).toBe(2);
  }, 60_000);

  it('keeps the secret and any reference to it out of every function environment of the packaged template', () => {
    // Prepare: the default package wherever it is (another test may be packaging a second stage meanwhile)
    const files = packagedFileNames(SERVICE_DIR).filter((f) => f.endsWith('.json'));
    const read = (file: string) => readPackagedFile(SERVICE_DIR, undefined, file);
    const template = JSON.parse(read('cloudformation-template-update-stack.json')) as {
      Resources: Record<
        string,
        { Type: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }
      >;
    };

    // Act
    const jwtLines = files.flatMap((f) =>
      read(f)
        .split('\n')
        .filter((line) => line.includes('JWT_SECRET'))
        .map((line) => `${f}: ${line.trim()}`),
    );
    const environments = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, r]) => [id, JSON.stringify(r.Properties?.Environment ?? {})] as const);

    // Assess
    expect(files).toContain('cloudformation-template-update-stack.json');
    // Only the ARN's variable (a Ref to the secret resource) and the cache age: no value, no reference.
    expect(jwtLines.length).toBeGreaterThan(0);
    for (const line of jwtLines) {
      expect(line).toMatch(/JWT_SECRET_(ARN|MAX_AGE_SECONDS)\b/);
      expect(line).not.toMatch(/JWT_SECRET["':=]/);
    }
    expect(template.Resources.AuthorizerLambdaFunction?.Properties?.Environment?.Variables?.JWT_SECRET_ARN).toEqual({
      Ref: 'JwtSecret',
    });
    for (const [, environment] of environments) {
      expect(environment).not.toMatch(/\{\{resolve:/);
      expect(environment).not.toMatch(/"JWT_SECRET"/);
    }
    expect(files.map(read).join('\n')).not.toMatch(/\{\{resolve:/);
  });
});

describe('Packaged authorizer: Secrets Manager faults', () => {
  let endpoints: FaultyHttpServer[] = [];
  afterEach(async () => {
    await Promise.all(endpoints.map((e) => e.close()));
    endpoints = [];
  });

  async function invokeAgainst(endpoint: FaultyHttpServer, secret: string) {
    endpoints.push(endpoint);
    const authorizer = packagedAuthorizer({ AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.endpoint });
    const event = authorizerEvent({ password: await tokenFor(secret) });
    const started = Date.now();
    const response = await authorizer.invoke(event);
    return { response, ms: Date.now() - started, timeoutMs: authorizer.timeoutMs };
  }

  it.each([
    ['stalls (accepts, never answers)', () => FaultyHttpServer.start({ plan: () => ({ kind: 'stall' }) })],
    [
      'answers after 2 s',
      () => FaultyHttpServer.start({ plan: () => ({ kind: 'slow', delayMs: 2000, target: secretsManager.endpoint }) }),
    ],
    [
      'fails with 500',
      () => FaultyHttpServer.start({ plan: () => ({ kind: 'fail', status: 500, type: 'InternalServiceError' }) }),
    ],
    [
      'throttles',
      () => FaultyHttpServer.start({ plan: () => ({ kind: 'fail', status: 400, type: 'ThrottlingException' }) }),
    ],
    ['drops the connection after the request', () => FaultyHttpServer.start({ plan: () => ({ kind: 'drop' }) })],
  ])(
    'denies cleanly before the function timeout when Secrets Manager %s',
    async (_name, start) => {
      // Prepare
      const secret = 'fault-injection-secret-0123456789-abcdefghij';
      secretsManager.putSecretValue(secretArn, secret);
      const endpoint = await start();

      // Act
      const { response, ms, timeoutMs } = await invokeAgainst(endpoint, secret);

      // Assess
      expect(response).toMatchObject({ isAuthenticated: false, policyDocuments: [] });
      expect(ms).toBeLessThan(timeoutMs);
      // The packaged client retries once (SECRET_MAX_ATTEMPTS=2), no more.
      expect(endpoint.calls).toBeLessThanOrEqual(2);
      process.stdout.write(
        `authorizer, Secrets Manager ${_name}: denied after ${ms} ms (${endpoint.calls} attempts)\n`,
      );
    },
    30_000,
  );

  it('allows the connection when Secrets Manager answers within the per-attempt timeout (in 1 s)', async () => {
    // Prepare
    const secret = 'slow-but-in-time-secret-0123456789-abcdefgh';
    secretsManager.putSecretValue(secretArn, secret);
    const endpoint = await FaultyHttpServer.start({
      plan: () => ({ kind: 'slow', delayMs: 1000, target: secretsManager.endpoint }),
    });

    // Act
    const { response, ms, timeoutMs } = await invokeAgainst(endpoint, secret);

    // Assess
    expect(response.isAuthenticated).toBe(true);
    expect(ms).toBeLessThan(timeoutMs);
  }, 30_000);
});
