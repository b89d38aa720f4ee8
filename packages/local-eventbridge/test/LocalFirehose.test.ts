import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type LocalS3, startLocalS3 } from '@blueprints/local-storage';
import { TemplateResolver } from '@blueprints/packaging';
import {
  evaluateFirehosePrefix,
  formatFirehoseTimestamp,
  type LocalDeliveryStream,
  LocalFirehose,
} from '../src/LocalFirehose.js';
import { eventLogTemplate } from './factories.js';

const at = new Date('2026-03-04T05:06:07.089Z');

function stream(overrides: Partial<LocalDeliveryStream> = {}): LocalDeliveryStream {
  return {
    name: 'archive',
    arn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/archive',
    bucket: 'firehose-bucket',
    prefix: 'events/',
    bufferSizeBytes: 5 * 1024 * 1024,
    bufferIntervalMs: 300_000,
    compression: 'UNCOMPRESSED',
    ...overrides,
  };
}

describe('Function: formatFirehoseTimestamp()', () => {
  it.each([
    ['yyyy/MM/dd/HH/', '2026/03/04/05/'],
    ["'year='yyyy'/month='MM", 'year=2026/month=03'],
    ['yyyy-MM-dd-HH-mm-ss', '2026-03-04-05-06-07'],
    ['yy.SSS', '26.089'],
  ])('formats %s in UTC', (format, expected) => {
    // Act
    const out = formatFirehoseTimestamp(format, at);

    // Assess
    expect(out).toBe(expected);
  });

  it('rejects a pattern letter it does not know', () => {
    // Act
    const act = () => formatFirehoseTimestamp('yyyy-QQ', at);

    // Assess
    expect(act).toThrow(/Unsupported timestamp pattern "QQ"/);
  });
});

describe('Function: evaluateFirehosePrefix()', () => {
  it('appends yyyy/MM/dd/HH/ when the prefix has no timestamp expression, as Firehose does', () => {
    // Act
    const out = evaluateFirehosePrefix('events/', at);

    // Assess
    expect(out).toBe('events/2026/03/04/05/');
  });

  it('evaluates !{timestamp:...} expressions and appends nothing', () => {
    // Act
    const out = evaluateFirehosePrefix('events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/', at);

    // Assess
    expect(out).toBe('events/year=2026/month=03/');
  });

  it('fills !{firehose:random-string} with 11 random characters', () => {
    // Act
    const out = evaluateFirehosePrefix('x/!{firehose:random-string}/!{timestamp:yyyy}/', at);

    // Assess
    expect(out).toMatch(/^x\/[A-Za-z0-9]{11}\/2026\/$/);
  });

  it('fills !{firehose:error-output-type} for error prefixes and rejects unknown namespaces', () => {
    // Act
    const error = evaluateFirehosePrefix('errors/!{firehose:error-output-type}/', at, 'processing-failed');
    const act = () => evaluateFirehosePrefix('x/!{partitionKeyFromQuery:brand}/', at);

    // Assess
    expect(error).toBe('errors/processing-failed/2026/03/04/05/');
    expect(act).toThrow(/Unsupported Firehose prefix expression/);
  });
});

describe('Function: LocalFirehose.streamsFromTemplate()', () => {
  it('reads bucket, prefixes and buffering hints of each delivery stream', () => {
    // Prepare
    const resolver = new TemplateResolver(eventLogTemplate(), {
      stackName: 'shop-dev',
      region: 'us-east-1',
      accountId: '000000000000',
    });

    // Act
    const streams = LocalFirehose.streamsFromTemplate(resolver);

    // Assess
    expect(streams).toEqual([
      {
        name: 'shop-dev-archive',
        arn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/shop-dev-archive',
        bucket: 'shop-dev-archive',
        prefix: 'events/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy}/',
        bufferSizeBytes: 1024 * 1024,
        bufferIntervalMs: 60_000,
        compression: 'UNCOMPRESSED',
      },
    ]);
  });
});

describe('Class: LocalFirehose', () => {
  let s3: LocalS3;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startLocalS3();
    client = new S3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await client.send(new CreateBucketCommand({ Bucket: 'firehose-bucket' }));
  });

  afterAll(async () => {
    client.destroy();
    await s3.close();
  });

  const read = async (key: string) =>
    Buffer.from(
      (await (
        await client.send(new GetObjectCommand({ Bucket: 'firehose-bucket', Key: key }))
      ).Body?.transformToByteArray()) ?? [],
    );

  it('writes all buffered records as ONE object under a date-partitioned key on flush()', async () => {
    // Prepare
    const firehose = new LocalFirehose([stream({ prefix: 'one/' })], { s3: client, now: () => at });
    await firehose.putRecord('archive', '{"a":1}\n');
    await firehose.putRecord(stream().arn, Buffer.from('{"a":2}\n'));

    // Act
    const written = await firehose.flush();

    // Assess
    expect(written).toHaveLength(1);
    expect(written[0]?.key).toMatch(/^one\/2026\/03\/04\/05\/archive-1-2026-03-04-05-06-07-[0-9a-f-]{36}$/);
    expect((await read(written[0]?.key as string)).toString()).toBe('{"a":1}\n{"a":2}\n');
    expect(await firehose.flush()).toEqual([]);
    await firehose.close();
  });

  it('flushes by itself when the buffered size reaches the size hint', async () => {
    // Prepare
    const firehose = new LocalFirehose([stream({ prefix: 'size/', bufferSizeBytes: 100 })], { s3: client });
    const record = `${'x'.repeat(39)}\n`;

    // Act
    await firehose.putRecord('archive', record);
    await firehose.putRecord('archive', record);
    const beforeLimit = firehose.objects.length;
    await firehose.putRecord('archive', record);

    // Assess
    expect(beforeLimit).toBe(0);
    expect(firehose.objects).toEqual([expect.objectContaining({ records: 3, bytes: 120 })]);
    await firehose.close();
  });

  it('flushes by itself when the buffering interval has passed', async () => {
    // Prepare
    const firehose = new LocalFirehose([stream({ prefix: 'interval/' })], { s3: client, bufferIntervalMs: 50 });
    const written = new Promise((resolve) => firehose.onObject(resolve));

    // Act
    await firehose.putRecord('archive', 'late\n');
    const object = await written;

    // Assess
    expect(object).toMatchObject({ records: 1, stream: 'archive' });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'firehose-bucket', Prefix: 'interval/' }));
    expect(listed.Contents).toHaveLength(1);
    await firehose.close();
  });

  it('gzips the object and names it .gz when CompressionFormat is GZIP', async () => {
    // Prepare
    const firehose = new LocalFirehose([stream({ prefix: 'gz/', compression: 'GZIP' })], { s3: client });
    await firehose.putRecord('archive', '{"z":1}\n');

    // Act
    const [object] = await firehose.flush();

    // Assess
    expect(object?.key).toMatch(/\.gz$/);
    expect(gunzipSync(await read(object?.key as string)).toString()).toBe('{"z":1}\n');
    await firehose.close();
  });

  it('keeps the records when S3 refuses the object, and delivers them with the next flush', async () => {
    // Prepare
    const firehose = new LocalFirehose([stream({ bucket: 'not-created-yet', prefix: 'retry/' })], { s3: client });
    await firehose.putRecord('archive', 'first\n');

    // Act
    const failed = firehose.flush();
    await expect(failed).rejects.toThrow();
    await client.send(new CreateBucketCommand({ Bucket: 'not-created-yet' }));
    await firehose.putRecord('archive', 'second\n');
    const [object] = await firehose.flush();

    // Assess
    expect(firehose.failures).toHaveLength(1);
    const body = await client.send(new GetObjectCommand({ Bucket: 'not-created-yet', Key: object?.key }));
    expect(await body.Body?.transformToString()).toBe('first\nsecond\n');
    await firehose.close();
  });

  it('names the known streams when asked for an unknown one', async () => {
    // Prepare
    const firehose = new LocalFirehose([stream()], { s3: client });

    // Act
    const act = firehose.putRecord('nope', 'x');

    // Assess
    await expect(act).rejects.toThrow('No local delivery stream "nope"; known: archive');
  });
});
