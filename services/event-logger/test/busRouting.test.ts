/** The packaged template's rules on the local bus: archive, persist queue and fair queue by brand. */
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type EventBridgeEvent, LocalEventBridge, LocalFirehose } from '@blueprints/local-eventbridge';
import { LocalSqs } from '@blueprints/local-sqs';
import { createBucketsFromTemplate, type LocalS3, startLocalS3 } from '@blueprints/local-storage';
import { packagedServiceResolver } from '@blueprints/packaging';

const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

function envelope(sequenceNr: number, persist: boolean, brand: string) {
  return {
    createdAt: Date.now(),
    correlationId: '2b0e8e43-9a43-4a8e-9d0e-6f0b8b9d1c11',
    sequenceNr,
    idempotencyKey: `order-${sequenceNr}`,
    persist,
    context: { brand, orderId: `o-${sequenceNr}` },
  };
}

describe('The packaged event-logger template on the local bus', () => {
  let bus: LocalEventBridge;
  let sqs: LocalSqs;
  let s3: LocalS3;
  let s3Client: S3Client;
  let firehose: LocalFirehose;
  let busName: string;

  beforeAll(async () => {
    const resolver = await packagedServiceResolver(serviceDir);
    bus = await LocalEventBridge.start({ region: 'us-east-1', accountId: '000000000000' });
    sqs = await LocalSqs.start({ region: 'us-east-1', accountId: '000000000000' });
    await sqs.createQueuesFromTemplate(resolver);
    s3 = await startLocalS3();
    s3Client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials });
    await createBucketsFromTemplate(resolver, s3Client);
    firehose = LocalFirehose.fromTemplate(resolver, { s3: s3Client });
    const loaded = bus.loadTemplate(resolver, { sqs, firehose });
    busName = loaded.buses[0] as string;
  }, 240_000);

  afterAll(async () => {
    await bus?.close();
    await sqs?.close();
    await firehose?.close();
    s3Client?.destroy();
    await s3?.close();
  });

  it('routes persisted events to Firehose (NDJSON in S3) and to the persist queue, and brands to the fair queue', async () => {
    // Prepare
    const client = new EventBridgeClient({ endpoint: bus.endpoint, region: 'us-east-1', credentials });
    const events = [envelope(1, true, 'A'), envelope(2, false, 'B'), envelope(3, true, 'B')];

    // Act
    const result = await client.send(
      new PutEventsCommand({
        Entries: events.map((detail) => ({
          EventBusName: busName,
          Source: 'blueprints.event-logger',
          DetailType: 'order.placed',
          Detail: JSON.stringify(detail),
        })),
      }),
    );
    await bus.idle();
    const objects = await firehose.flush();
    client.destroy();

    // Assess
    expect(result.FailedEntryCount).toBe(0);
    expect(bus.deliveries.filter((d) => !d.ok)).toEqual([]);

    const fair = bus.deliveries.filter((d) => d.messageGroupId !== undefined);
    expect(fair.map((d) => d.messageGroupId).sort()).toEqual(['A', 'B', 'B']);
    const fairMessages = sqs.messages(fair[0]?.targetArn as string);
    expect(fairMessages.map((m) => m.messageGroupId).sort()).toEqual(['A', 'B', 'B']);

    const toPersistQueue = bus.deliveries.filter(
      (d) => d.targetArn.includes(':sqs:') && d.messageGroupId === undefined,
    );
    const persisted = sqs.messages(toPersistQueue[0]?.targetArn as string).map((m) => JSON.parse(m.body));
    expect(persisted.map((e: EventBridgeEvent) => e.detail.sequenceNr).sort()).toEqual([1, 3]);

    expect(objects).toHaveLength(1);
    const year = new Date().getUTCFullYear();
    expect(objects[0]?.key).toMatch(new RegExp(`^events/year=${year}/month=\\d{2}/day=\\d{2}/`));
    const object = await s3Client.send(new GetObjectCommand({ Bucket: objects[0]?.bucket, Key: objects[0]?.key }));
    const lines = ((await object.Body?.transformToString()) ?? '').trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as EventBridgeEvent).detail.sequenceNr).sort()).toEqual([1, 3]);
  });
});
