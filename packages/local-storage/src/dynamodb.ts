import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';

interface DynaliteServer {
  listen(port: number, host: string, callback: () => void): void;
  address(): AddressInfo | string | null;
  close(callback: (error?: Error) => void): void;
  once(event: 'error', listener: (error: Error) => void): void;
  closeAllConnections?: () => void;
}
type Dynalite = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  path?: string;
}) => DynaliteServer;

// dynalite is CommonJS without type declarations.
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export interface LocalDynamoDbOptions {
  /** 0 (the default) picks a free port. The server listens on 127.0.0.1 only. */
  port?: number;
  /** Keep the data in this folder (LevelDB) instead of in memory. */
  directory?: string;
}

export interface LocalDynamoDb {
  /** `http://127.0.0.1:PORT`, for `new DynamoDBClient({ endpoint })` or `AWS_ENDPOINT_URL_DYNAMODB`. */
  endpoint: string;
  close(): Promise<void>;
}

/** A table `createTablesFromTemplate` created (or found already there). */
export interface LocalTableInfo {
  logicalId: string;
  tableName: string;
  arn: string;
  /** The TimeToLiveSpecification attribute, which the local table does NOT enforce (dynalite has no TTL). */
  timeToLiveAttribute?: string;
}

/**
 * Starts a local DynamoDB (dynalite) on 127.0.0.1, in memory unless `directory` is given. Tables
 * become ACTIVE at once.
 *
 * @example
 * const ddb = await startLocalDynamoDb();
 * const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
 * await createTablesFromTemplate(resolver, client);
 * await ddb.close();
 */
export async function startLocalDynamoDb(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.directory ? { path: options.directory } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}

const TABLE_PROPERTIES = [
  'KeySchema',
  'AttributeDefinitions',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'BillingMode',
  'ProvisionedThroughput',
] as const;

/**
 * Creates every `AWS::DynamoDB::Table` of a packaged template through `client`: TableName (or the
 * generated name the resolver gives), KeySchema, AttributeDefinitions, GlobalSecondaryIndexes,
 * LocalSecondaryIndexes, BillingMode, ProvisionedThroughput. A table that already exists is left as
 * it is. TimeToLiveSpecification is NOT applied: dynalite has no UpdateTimeToLive, so expired items
 * stay; the attribute is reported in the result. Streams, SSE and point-in-time recovery are ignored.
 *
 * @example
 * const tables = await createTablesFromTemplate(resolver, new DynamoDBClient({ endpoint: ddb.endpoint }));
 */
export async function createTablesFromTemplate(
  resolver: TemplateResolver,
  client: DynamoDBClient,
): Promise<LocalTableInfo[]> {
  const created: LocalTableInfo[] = [];
  for (const [logicalId, resource] of resourcesOfType(resolver.template, 'AWS::DynamoDB::Table', resolver.stack)) {
    const props = resolver.resolve(resource.Properties ?? {}, logicalId) as Record<string, unknown>;
    const tableName = resolver.physicalName(logicalId);
    const input: Record<string, unknown> = { TableName: tableName };
    for (const key of TABLE_PROPERTIES) if (props[key] !== undefined) input[key] = props[key];
    if (input.BillingMode === undefined && input.ProvisionedThroughput === undefined) {
      input.BillingMode = 'PAY_PER_REQUEST';
    }
    if (input.BillingMode === 'PAY_PER_REQUEST') {
      delete input.ProvisionedThroughput;
      input.GlobalSecondaryIndexes = (input.GlobalSecondaryIndexes as Array<Record<string, unknown>> | undefined)?.map(
        ({ ProvisionedThroughput: _ignored, ...index }) => index,
      );
      if (input.GlobalSecondaryIndexes === undefined) delete input.GlobalSecondaryIndexes;
    }
    try {
      await client.send(new CreateTableCommand(input as unknown as CreateTableCommandInput));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) {
        throw new Error(`Creating table ${tableName} (${logicalId}) failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const info: LocalTableInfo = {
      logicalId,
      tableName,
      arn: described.Table?.TableArn ?? resolver.arn(logicalId),
    };
    const ttl = props.TimeToLiveSpecification as { AttributeName?: string; Enabled?: unknown } | undefined;
    if (ttl?.AttributeName && String(ttl.Enabled) === 'true') info.timeToLiveAttribute = ttl.AttributeName;
    created.push(info);
  }
  return created;
}
