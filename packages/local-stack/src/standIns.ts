import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { LocalEventBridge } from '@blueprints/local-eventbridge';
import { createStreamsFromTemplate, type LocalKinesis, startLocalKinesis } from '@blueprints/local-pipes';
import { createSecretsFromTemplate, LocalSecretsManager } from '@blueprints/local-secrets-manager';
import { LocalSqs } from '@blueprints/local-sqs';
import {
  createBucketsFromTemplate,
  createTablesFromTemplate,
  type LocalDynamoDb,
  type LocalS3,
  startLocalDynamoDb,
  startLocalS3,
} from '@blueprints/local-storage';
import type { TemplateResolver } from '@blueprints/packaging';
import { DEV_CREDENTIALS } from './devCredentials.js';

/** How long `close()` waits for one handle before moving on to the next (a stalled one must not hang shutdown). */
const DEFAULT_CLOSE_CEILING_MS = 10_000;

export interface StandInsOptions {
  region?: string;
  accountId?: string;
  /** Fixed ports; 0 (the default) picks a free one. */
  ports?: Partial<Record<'sqs' | 'eventBridge' | 'dynamodb' | 's3' | 'kinesis', number>>;
  /** Keeps DynamoDB and S3 on disk under this folder; in memory (DynamoDB) or a temporary folder (S3) otherwise. */
  dataDir?: string;
  /** How long `close()` waits for each handle (default 10 s). */
  closeCeilingMs?: number;
}

/** The stand-ins every packaged service talks to through the SDK, started on 127.0.0.1. */
export interface StandIns {
  region: string;
  accountId: string;
  sqs: LocalSqs;
  bus: LocalEventBridge;
  dynamodb: LocalDynamoDb & { persistent: boolean };
  s3: LocalS3;
  kinesis: LocalKinesis;
  secretsManager: LocalSecretsManager;
  /** SDK clients on the stand-ins, for tests and provisioning. */
  clients: { dynamodb: DynamoDBClient; s3: S3Client };
  /** What a function needs to reach the stand-ins: region, credentials, one `AWS_ENDPOINT_URL_*` per service. */
  environment: Record<string, string>;
  /** Creates a template's queues, tables, buckets, streams and secrets. */
  provision(resolver: TemplateResolver): Promise<void>;
  /** Runs `close` with the stack's other handles: last registered, first closed. */
  onClose(close: () => Promise<unknown> | unknown): void;
  /** Stops everything, each handle bounded by a ceiling, never throwing. */
  close(): Promise<void>;
}

/**
 * Starts SQS, EventBridge, DynamoDB, S3, Kinesis and Secrets Manager stand-ins side by side and
 * returns them with the environment that points a function's SDK clients at them.
 */
export async function startStandIns(options: StandInsOptions = {}): Promise<StandIns> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const ports = options.ports ?? {};
  const closers: Array<() => Promise<unknown> | unknown> = [];
  const close = async () => {
    const ceilingMs = options.closeCeilingMs ?? DEFAULT_CLOSE_CEILING_MS;
    for (const closeOne of closers.splice(0).reverse()) await closeBounded(closeOne, ceilingMs);
  };
  const started = await Promise.allSettled([
    LocalSqs.start({ port: ports.sqs ?? 0, region, accountId }),
    LocalEventBridge.start({ port: ports.eventBridge ?? 0, region, accountId }),
    startDynamoDb(options.dataDir && join(options.dataDir, 'dynamodb'), ports.dynamodb ?? 0),
    startLocalS3({ port: ports.s3 ?? 0, ...(options.dataDir ? { directory: join(options.dataDir, 's3') } : {}) }),
    startLocalKinesis({ port: ports.kinesis ?? 0, region }),
    // On a free port: only the functions talk to it, through AWS_ENDPOINT_URL_SECRETS_MANAGER.
    LocalSecretsManager.start({ region, accountId }),
  ]);
  for (const result of started) {
    if (result.status === 'fulfilled') closers.push(() => result.value.close());
  }
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  const [sqs, bus, dynamodb, s3, kinesis, secretsManager] = started.map(
    (r) => (r as PromiseFulfilledResult<unknown>).value,
  ) as [
    LocalSqs,
    LocalEventBridge,
    LocalDynamoDb & { persistent: boolean },
    LocalS3,
    LocalKinesis,
    LocalSecretsManager,
  ];
  const clients = {
    dynamodb: new DynamoDBClient({ endpoint: dynamodb.endpoint, region, credentials: DEV_CREDENTIALS }),
    s3: new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region, credentials: DEV_CREDENTIALS }),
  };
  closers.push(() => {
    clients.dynamodb.destroy();
    clients.s3.destroy();
  });
  return {
    region,
    accountId,
    sqs,
    bus,
    dynamodb,
    s3,
    kinesis,
    secretsManager,
    clients,
    environment: {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: DEV_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEV_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    provision: async (resolver) => {
      await sqs.createQueuesFromTemplate(resolver);
      await createTablesFromTemplate(resolver, clients.dynamodb);
      await createBucketsFromTemplate(resolver, clients.s3);
      await createStreamsFromTemplate(resolver, kinesis.client);
      createSecretsFromTemplate(resolver, secretsManager);
    },
    onClose: (closeOne) => {
      closers.push(closeOne);
    },
    close,
  };
}

/** Runs `closeOne`, waiting at most `ceilingMs` for it; never throws. */
export async function closeBounded(closeOne: () => Promise<unknown> | unknown, ceilingMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ceiling = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ceilingMs);
    timer.unref();
  });
  await Promise.race([Promise.resolve().then(closeOne), ceiling])
    .catch(() => undefined)
    .finally(() => clearTimeout(timer));
}

/** DynamoDB kept on disk when dynalite's LevelDB store works here, in memory otherwise. */
async function startDynamoDb(
  directory: string | undefined,
  port: number,
): Promise<LocalDynamoDb & { persistent: boolean }> {
  if (directory) {
    try {
      mkdirSync(directory, { recursive: true });
      return { ...(await startLocalDynamoDb({ port, directory })), persistent: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw error;
    }
  }
  return { ...(await startLocalDynamoDb({ port })), persistent: false };
}
