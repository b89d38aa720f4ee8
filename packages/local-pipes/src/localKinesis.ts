import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';

export interface LocalKinesis {
  /** `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL_KINESIS` or a client's `endpoint`. */
  endpoint: string;
  /** A Kinesis client already pointed at the local endpoint. */
  client: KinesisClient;
  close(): Promise<void>;
}

/**
 * A Kinesis client for a local endpoint. kinesalite speaks HTTP/1.1 only, so the client must use
 * the Node HTTP/1 handler.
 */
export function localKinesisClient(endpoint: string, region = 'us-east-1'): KinesisClient {
  return new KinesisClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
}

/**
 * Starts kinesalite (in memory) on 127.0.0.1, with streams that become ACTIVE at once.
 *
 * @example
 * const kinesis = await startLocalKinesis();
 * await createStreamsFromTemplate(resolver, kinesis.client);
 * // ... PutRecord with kinesis.client ...
 * await kinesis.close();
 */
export async function startLocalKinesis(options: { port?: number; region?: string } = {}): Promise<LocalKinesis> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = localKinesisClient(endpoint, options.region);
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The stream name in a Kinesis stream ARN (`arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`). */
export function streamNameFromArn(arn: string): string {
  const match = /^arn:[^:]+:kinesis:[^:]*:[^:]*:stream\/(.+)$/.exec(arn);
  if (!match?.[1]) throw new Error(`Not a Kinesis stream ARN: ${arn}`);
  return match[1];
}

/**
 * Creates the template's `AWS::Kinesis::Stream`s (those whose Condition holds). On-demand streams
 * get `localShardCount` shards (default 1): kinesalite has no on-demand mode.
 */
export async function createStreamsFromTemplate(
  resolver: TemplateResolver,
  client: KinesisClient,
  options: { localShardCount?: number } = {},
): Promise<string[]> {
  const names: string[] = [];
  for (const [logicalId, resource] of resourcesOfType(resolver.template, 'AWS::Kinesis::Stream', resolver.stack)) {
    const props = resolver.resolve(resource.Properties ?? {}, logicalId) as { ShardCount?: number | string };
    const name = resolver.physicalName(logicalId);
    const shards = Number(props.ShardCount ?? options.localShardCount ?? 1);
    try {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    for (let i = 0; i < 100; i++) {
      const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    names.push(name);
  }
  return names;
}
