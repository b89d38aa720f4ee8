import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { TemplateResolver } from '@blueprints/packaging';
import { createBucketsFromTemplate, type LocalS3, startLocalS3 } from '../src/s3.js';

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('Function: startLocalS3()', () => {
  let s3: LocalS3;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startLocalS3();
    client = new S3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: localCredentials,
    });
  });

  afterAll(async () => {
    client.destroy();
    await s3.close();
  });

  it('listens on 127.0.0.1 on a port chosen at run time', () => {
    // Assess
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s3.endpoint).not.toMatch(/:4568$/);
  });

  it('stores and returns objects for the real S3 client signed with any local credentials', async () => {
    // Prepare
    await client.send(new CreateBucketCommand({ Bucket: 'round-trip' }));

    // Act
    await client.send(new PutObjectCommand({ Bucket: 'round-trip', Key: 'a/b.json', Body: '{"hello":"world"}\n' }));
    const object = await client.send(new GetObjectCommand({ Bucket: 'round-trip', Key: 'a/b.json' }));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'round-trip', Prefix: 'a/' }));

    // Assess
    expect(await object.Body?.transformToString()).toBe('{"hello":"world"}\n');
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['a/b.json']);
  });

  it('serves a plain client configured only through AWS_ENDPOINT_URL_S3, as handlers are', async () => {
    // Prepare
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
    });
    const handlerClient = new S3Client({});
    await client.send(new CreateBucketCommand({ Bucket: 'from-env' }));

    try {
      // Act
      await handlerClient.send(new PutObjectCommand({ Bucket: 'from-env', Key: 'k', Body: 'v' }));
      const object = await client.send(new GetObjectCommand({ Bucket: 'from-env', Key: 'k' }));

      // Assess
      expect(await object.Body?.transformToString()).toBe('v');
    } finally {
      handlerClient.destroy();
      process.env = saved;
    }
  });

  it('keeps data in a given directory across restarts', async () => {
    // Prepare
    const first = await startLocalS3({ directory: `${s3.directory}-kept` });
    const c1 = new S3Client({
      endpoint: first.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: localCredentials,
    });
    await c1.send(new CreateBucketCommand({ Bucket: 'kept' }));
    await c1.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'still here' }));
    c1.destroy();
    await first.close();

    // Act
    const second = await startLocalS3({ directory: `${s3.directory}-kept` });
    const c2 = new S3Client({
      endpoint: second.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: localCredentials,
    });
    const object = await c2.send(new GetObjectCommand({ Bucket: 'kept', Key: 'k' }));
    const body = await object.Body?.transformToString();
    c2.destroy();
    await second.close();

    // Assess
    expect(body).toBe('still here');
    expect(existsSync(`${s3.directory}-kept`)).toBe(true);
    await rm(`${s3.directory}-kept`, { recursive: true, force: true });
  });
});

describe('Function: createBucketsFromTemplate()', () => {
  it('creates every bucket of a template, and tolerates buckets that already exist', async () => {
    // Prepare
    const s3 = await startLocalS3();
    const client = new S3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: localCredentials,
    });
    const resolver = new TemplateResolver(
      {
        Resources: {
          Named: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': '${AWS::StackName}-archive' } } },
          Other: { Type: 'AWS::SQS::Queue', Properties: {} },
        },
      },
      { stackName: 'shop-dev', region: 'us-east-1', accountId: '000000000000' },
    );

    try {
      // Act
      const first = await createBucketsFromTemplate(resolver, client);
      const second = await createBucketsFromTemplate(resolver, client);
      await client.send(new PutObjectCommand({ Bucket: 'shop-dev-archive', Key: 'k', Body: 'v' }));

      // Assess
      expect(first).toEqual(['shop-dev-archive']);
      expect(second).toEqual(['shop-dev-archive']);
    } finally {
      client.destroy();
      await s3.close();
    }
  });
});

describe('Function: startLocalS3() on a busy port', () => {
  it('fails with a clear error naming the port', async () => {
    // Prepare
    const first = await startLocalS3();
    const port = Number(new URL(first.endpoint).port);

    try {
      // Act
      const second = startLocalS3({ port });

      // Assess
      await expect(second).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await first.close();
    }
  });
});
