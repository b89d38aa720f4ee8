/**
 * `startLocalStack` with deployments: two stages of one service folder (`{ dir, stage }`) on one stack,
 * as two stages share one AWS account. The folder is written as `osls package` leaves one for each
 * stage (`.serverless` for dev, `.serverless-qa` for qa), so no packaging runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FunctionNotFoundError, sourceHandlerLoader } from '@blueprints/local-runtime';
import { DuplicateLocalServiceError, type LocalStack, startLocalStack } from '../src/index.js';

const REGION = 'us-east-1';

/** One stage's packaged template: a queue triggering `record`, and `describe` answering what it was loaded with. */
function template(stage: string, logFile: string) {
  return {
    Resources: {
      WorkQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `shop-${stage}-work` } },
      DescribeLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: `shop-${stage}-describe`,
          Handler: 'src/handlers/describe.handler',
          Environment: { Variables: { STAGE: stage, QUEUE_URL: { Ref: 'WorkQueue' } } },
        },
      },
      RecordLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: `shop-${stage}-record`,
          Handler: 'src/handlers/record.handler',
          Environment: { Variables: { STAGE: stage, LOG_FILE: logFile } },
        },
      },
      RecordEventSourceMappingSQSWorkQueue: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] },
          FunctionName: { 'Fn::GetAtt': ['RecordLambdaFunction', 'Arn'] },
          BatchSize: 1,
        },
      },
    },
  };
}

/** The package of one stage, as `osls package --stage <stage> --package <folder>` writes it. */
function writePackage(dir: string, folder: string, stage: string, logFile: string): void {
  mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(
    join(dir, folder, 'cloudformation-template-update-stack.json'),
    JSON.stringify(template(stage, logFile)),
  );
  writeFileSync(
    join(dir, folder, 'serverless-state.json'),
    JSON.stringify({ service: { service: 'shop', provider: { stage }, functions: {}, custom: {} } }),
  );
}

/** The lines the `record` functions appended, by stage. */
function recorded(logFile: string): Array<{ stage: string; body: string }> {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('Function: startLocalStack() with deployments', () => {
  let root: string;
  let dir: string;
  let logFile: string;
  let stack: LocalStack;
  let sqs: SQSClient;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'blueprints-deployments-'));
    dir = join(root, 'shop');
    logFile = join(root, 'recorded.jsonl');
    mkdirSync(join(dir, 'src', 'handlers'), { recursive: true });
    // Read at module load, as handlers read their configuration: each deployment needs its own copy.
    writeFileSync(
      join(dir, 'src', 'handlers', 'describe.ts'),
      [
        'const loadedAs = process.env.STAGE;',
        'export const handler = async () => ({',
        '  loadedAs,',
        '  queueUrl: process.env.QUEUE_URL,',
        '  accessKeyId: process.env.AWS_ACCESS_KEY_ID,',
        '});',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'src', 'handlers', 'record.ts'),
      [
        "import { appendFileSync } from 'node:fs';",
        'export const handler = async (event: { Records: Array<{ body: string }> }) => {',
        '  for (const r of event.Records)',
        '    appendFileSync(String(process.env.LOG_FILE), `${JSON.stringify({ stage: process.env.STAGE, body: r.body })}\\n`);',
        '};',
        '',
      ].join('\n'),
    );
    writePackage(dir, '.serverless', 'dev', logFile);
    writePackage(dir, '.serverless-qa', 'qa', logFile);
    stack = await startLocalStack({
      region: REGION,
      services: [dir, { dir, stage: 'qa' }],
      packageServices: false,
      pollIntervalMs: 20,
      handlerLoader: (s) => sourceHandlerLoader(s.dir, { instance: () => s.name }),
    });
    sqs = new SQSClient({
      endpoint: stack.environment.AWS_ENDPOINT_URL_SQS,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }, 60_000);

  afterAll(async () => {
    sqs?.destroy();
    await stack?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('names each deployment and resolves it as its own stack', () => {
    // Act
    const [dev, qa] = stack.services;

    // Assess
    expect(stack.services.map((s) => s.name)).toEqual(['shop', 'shop@qa']);
    expect(dev?.resolver.stack.stackName).toBe('shop-dev');
    expect(qa?.resolver.stack.stackName).toBe('shop-qa');
    expect(qa?.deploymentStage).toBe('qa');
    expect(dev?.deploymentStage).toBeUndefined();
    expect(stack.service('shop@qa')).toBe(qa);
    expect(qa?.lambda).not.toBe(dev?.lambda);
    expect([dev?.credentials.accessKeyId, qa?.credentials.accessKeyId]).toEqual(['local', 'local-qa']);
  });

  it("creates each deployment's resources side by side", async () => {
    // Act
    const urls = await Promise.all(
      ['shop-dev-work', 'shop-qa-work'].map((QueueName) => sqs.send(new GetQueueUrlCommand({ QueueName }))),
    );

    // Assess
    expect(urls.map((u) => u.QueueUrl)).toEqual([
      expect.stringMatching(/\/shop-dev-work$/),
      expect.stringMatching(/\/shop-qa-work$/),
    ]);
  });

  it("runs each deployment's functions through its own lambda, with its own module, resources and keys", async () => {
    // Prepare
    const dev = stack.service('shop');
    const qa = stack.service('shop@qa');

    // Act
    const fromDev = await dev?.lambda.invoke('shop-dev-describe', {});
    const fromQa = await qa?.lambda.invoke('shop-qa-describe', {});

    // Assess
    expect(fromDev).toEqual({
      loadedAs: 'dev',
      queueUrl: expect.stringMatching(/\/shop-dev-work$/),
      accessKeyId: 'local',
    });
    // A second deployment of a folder signs with its own keys (the IoT gateway tells presigned URLs apart by them).
    expect(fromQa).toEqual({
      loadedAs: 'qa',
      queueUrl: expect.stringMatching(/\/shop-qa-work$/),
      accessKeyId: 'local-qa',
    });
    await expect(qa?.lambda.invoke('shop-dev-describe', {})).rejects.toThrow(FunctionNotFoundError);
    await expect(dev?.lambda.invoke('shop-qa-describe', {})).rejects.toThrow(FunctionNotFoundError);
  });

  it("triggers each deployment's function from its own queue only", async () => {
    // Prepare
    const queueUrl = async (QueueName: string) =>
      (await sqs.send(new GetQueueUrlCommand({ QueueName }))).QueueUrl as string;

    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl: await queueUrl('shop-qa-work'), MessageBody: 'to-qa' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: await queueUrl('shop-dev-work'), MessageBody: 'to-dev' }));
    await stack.settle();

    // Assess
    expect(recorded(logFile).sort((a, b) => a.stage.localeCompare(b.stage))).toEqual([
      { stage: 'dev', body: 'to-dev' },
      { stage: 'qa', body: 'to-qa' },
    ]);
  }, 60_000);

  it('refuses two entries that deploy one folder as one stage, before anything starts', async () => {
    // Act & Assess
    await expect(startLocalStack({ services: [dir, { dir, stage: 'dev' }], packageServices: false })).rejects.toThrow(
      DuplicateLocalServiceError,
    );
  });
});

describe('Function: startLocalStack() with deployments, from their built bundles', () => {
  let root: string;
  let stack: LocalStack;

  /** `<function name>.zip` in a package folder, holding `src/handlers/describe.cjs` that answers `answer`. */
  function writeBundle(dir: string, folder: string, functionName: string, answer: string): void {
    const build = join(root, 'build', folder, 'src', 'handlers');
    mkdirSync(build, { recursive: true });
    writeFileSync(join(build, 'describe.cjs'), `exports.handler = async () => ${JSON.stringify(answer)};\n`);
    execFileSync('zip', ['-q', '-r', join(dir, folder, `${functionName}.zip`), 'src'], {
      cwd: join(root, 'build', folder),
    });
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'blueprints-deployment-bundles-'));
    const dir = join(root, 'shop');
    writePackage(dir, '.serverless', 'dev', join(root, 'unused.jsonl'));
    writePackage(dir, '.serverless-qa', 'qa', join(root, 'unused.jsonl'));
    writeBundle(dir, '.serverless', 'shop-dev-describe', 'built for dev');
    writeBundle(dir, '.serverless-qa', 'shop-qa-describe', 'built for qa');
    stack = await startLocalStack({
      region: REGION,
      services: [dir, { dir, stage: 'qa' }],
      packageServices: false,
      dataDir: join(root, 'data'),
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("loads each deployment's functions from its own stage's package", async () => {
    // Act
    const fromDev = await stack.service('shop')?.lambda.invoke('shop-dev-describe', {});
    const fromQa = await stack.service('shop@qa')?.lambda.invoke('shop-qa-describe', {});

    // Assess
    expect([fromDev, fromQa]).toEqual(['built for dev', 'built for qa']);
  }, 30_000);
});
