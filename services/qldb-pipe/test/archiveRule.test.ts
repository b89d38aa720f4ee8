/** The packaged template's archive rule on the local bus. */
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type EventBridgeEvent, LocalEventBridge, LocalFirehose } from '@blueprints/local-eventbridge';
import { createBucketsFromTemplate, type LocalS3, startLocalS3 } from '@blueprints/local-storage';
import { packagedServiceResolver } from '@blueprints/packaging';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const serviceDir = fileURLToPath(new URL('..', import.meta.url));
describe('The packaged qldb-pipe template on the local bus', () => {
  let bus: LocalEventBridge;
  let s3: LocalS3;
  let s3Client: S3Client;
  let firehose: LocalFirehose;
  let busName: string;

  beforeAll(async () => {
    const resolver = await packagedServiceResolver(serviceDir);
    bus = await LocalEventBridge.start({ region: 'us-east-1', accountId: '000000000000' });
    s3 = await startLocalS3();
    s3Client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials });
    await createBucketsFromTemplate(resolver, s3Client);
    firehose = LocalFirehose.fromTemplate(resolver, { s3: s3Client });
    busName = bus.loadTemplate(resolver, { firehose }).buses[0] as string;
  }, 240_000);

  afterAll(async () => {
    await bus?.close();
    await firehose?.close();
    s3Client?.destroy();
    await s3?.close();
  });

  it('archives every event of source qldb, and only those, as one JSON line each', async () => {
    // Prepare
    const entry = (source: string, documentId: string) => ({
      EventBusName: busName,
      Source: source,
      DetailType: 'REVISION_DETAILS',
      Detail: JSON.stringify({ tableName: 'Person', documentId, version: 0 }),
    });

    // Act
    bus.putEvents([entry('qldb', 'doc-1'), entry('not-qldb', 'doc-2'), entry('qldb', 'doc-3')]);
    await bus.idle();
    const objects = await firehose.flush();

    // Assess
    expect(objects).toHaveLength(1);
    const object = await s3Client.send(new GetObjectCommand({ Bucket: objects[0]?.bucket, Key: objects[0]?.key }));
    const lines = ((await object.Body?.transformToString()) ?? '').trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as EventBridgeEvent).detail.documentId).sort()).toEqual([
      'doc-1',
      'doc-3',
    ]);
  });
});
