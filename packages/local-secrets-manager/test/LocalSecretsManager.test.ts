import { request } from 'node:http';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type CfnTemplate, TemplateResolver } from '@blueprints/packaging';
import { createSecretsFromTemplate, generateSecretString, LocalSecretsManager } from '../src/index.js';

const stack = { stackName: 'app-dev', region: 'eu-west-1', accountId: '123456789012' };
let sm: LocalSecretsManager;
let client: SecretsManagerClient;

beforeAll(async () => {
  sm = await LocalSecretsManager.start({ region: stack.region, accountId: stack.accountId });
  client = new SecretsManagerClient({
    endpoint: sm.endpoint,
    region: stack.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await sm.close();
});

/** A raw POST to the stand-in, for what the SDK would never send. */
function post(target: string, body: string | Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${sm.endpoint}/`,
      { method: 'POST', headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Class: LocalSecretsManager', () => {
  it('returns the current value by name and by ARN through the AWS SDK', async () => {
    // Prepare
    const created = await client.send(new CreateSecretCommand({ Name: 'svc/by-name', SecretString: 'value-1' }));

    // Act
    const byName = await client.send(new GetSecretValueCommand({ SecretId: 'svc/by-name' }));
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: created.ARN }));

    // Assess
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:svc\/by-name-[A-Za-z0-9]{6}$/);
    for (const value of [byName, byArn]) {
      expect(value).toMatchObject({ ARN: created.ARN, Name: 'svc/by-name', SecretString: 'value-1' });
      expect(value.VersionStages).toEqual(['AWSCURRENT']);
    }
  });

  it('makes a new value AWSCURRENT and keeps the old one as AWSPREVIOUS (a rotation)', async () => {
    // Prepare
    const { arn: ARN } = sm.createSecret('svc/rotated', 'before');

    // Act
    await client.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: 'after' }));
    const current = await client.send(new GetSecretValueCommand({ SecretId: ARN }));
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'svc/rotated', VersionStage: 'AWSPREVIOUS' }),
    );

    // Assess
    expect([current.SecretString, current.VersionStages]).toEqual(['after', ['AWSCURRENT']]);
    expect([previous.SecretString, previous.VersionStages]).toEqual(['before', ['AWSPREVIOUS']]);
  });

  it('answers an unknown secret and a second secret of the same name with the AWS exceptions', async () => {
    // Prepare
    sm.createSecret('svc/taken', 'x');

    // Act
    const missing = client.send(new GetSecretValueCommand({ SecretId: 'svc/nope' }));
    const duplicate = client.send(new CreateSecretCommand({ Name: 'svc/taken', SecretString: 'y' }));

    // Assess
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(duplicate).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('answers malformed input, unknown operations and oversized values with AWS-shaped 4xx errors', async () => {
    // Prepare
    const big = JSON.stringify({ Name: 'svc/big', SecretString: 'x'.repeat(70_000) });

    // Act
    const responses = [
      await post('secretsmanager.GetSecretValue', '{not json'),
      await post('secretsmanager.GetSecretValue', '[]'),
      await post('secretsmanager.GetSecretValue', '{"SecretId":42}'),
      await post('secretsmanager.RotateEverything', '{}'),
      await post('secretsmanager.CreateSecret', big),
      await post('secretsmanager.CreateSecret', Buffer.alloc(10 * 1024 * 1024, 0x20)),
    ];

    // Assess
    expect(responses.map((r) => [r.status, JSON.parse(r.body).__type])).toEqual([
      [400, 'SerializationException'],
      [400, 'SerializationException'],
      [400, 'SerializationException'],
      [400, 'UnknownOperationException'],
      [400, 'InvalidParameterException'],
      [413, 'RequestEntityTooLargeException'],
    ]);
    for (const r of responses) expect(r.body).not.toMatch(/at .+\.ts:\d+/);
  });
});

describe('Function: createSecretsFromTemplate()', () => {
  it('creates each secret with a generated value and points Ref at its ARN', async () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        JwtSecret: {
          Type: 'AWS::SecretsManager::Secret',
          Properties: {
            Name: { 'Fn::Sub': '${AWS::StackName}/jwt' },
            GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
          },
        },
        Reader: {
          Type: 'AWS::Lambda::Function',
          Properties: { Environment: { Variables: { SECRET_ARN: { Ref: 'JwtSecret' } } } },
        },
      },
    };
    const resolver = new TemplateResolver(template, stack);

    // Act
    const [info] = createSecretsFromTemplate(resolver, sm);
    const value = await client.send(new GetSecretValueCommand({ SecretId: info?.arn }));

    // Assess
    expect(info).toMatchObject({ logicalId: 'JwtSecret', name: 'app-dev/jwt' });
    expect(value.SecretString).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(resolver.resolve({ Ref: 'JwtSecret' })).toBe(info?.arn);
  });
});

describe('Function: generateSecretString()', () => {
  it('honours the length, the excluded classes and characters, and the JSON template', () => {
    // Prepare
    const options = { PasswordLength: 200, ExcludeUppercase: true, ExcludeCharacters: 'abc', ExcludePunctuation: true };

    // Act
    const plain = generateSecretString(options);
    const wrapped = JSON.parse(
      generateSecretString({ SecretStringTemplate: '{"username":"app"}', GenerateStringKey: 'password' }),
    );

    // Assess
    expect(plain).toMatch(/^[d-z0-9]{200}$/);
    expect(plain).toMatch(/[0-9]/);
    expect(wrapped).toEqual({ username: 'app', password: expect.stringMatching(/^.{32}$/) });
  });
});
