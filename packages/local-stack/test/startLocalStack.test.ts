import { once } from 'node:events';
import { createConnection } from 'node:net';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TemplateResolver } from '@blueprints/packaging';
import { type LocalStack, startLocalStack } from '../src/index.js';

const REGION = 'us-east-1';

/** A template with one of each resource the stack provisions. */
function sampleResolver(): TemplateResolver {
  return new TemplateResolver(
    {
      Resources: {
        WorkQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'sample-dev-work' } },
        ItemsTable: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            TableName: 'sample-dev-items',
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          },
        },
      },
    },
    { stackName: 'sample-dev', region: REGION, accountId: '000000000000' },
  );
}

/** Resolves true when something accepts a TCP connection at the endpoint's port. */
async function accepts(endpoint: string): Promise<boolean> {
  const socket = createConnection({ host: '127.0.0.1', port: Number(new URL(endpoint).port) });
  try {
    await Promise.race([once(socket, 'connect'), once(socket, 'error').then(([e]) => Promise.reject(e))]);
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

describe('Function: startLocalStack()', () => {
  let stack: LocalStack;

  afterEach(async () => {
    await stack?.close();
  });

  it('points a function environment at every stand-in on 127.0.0.1', async () => {
    // Prepare
    stack = await startLocalStack({ region: REGION });

    // Act
    const { environment } = stack;

    // Assess
    expect(environment.AWS_REGION).toBe(REGION);
    for (const name of ['SQS', 'EVENTBRIDGE', 'DYNAMODB', 'S3', 'KINESIS', 'SECRETS_MANAGER']) {
      expect(environment[`AWS_ENDPOINT_URL_${name}`]).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    }
  });

  it("creates a template's queues and tables, reachable through the SDK with the stack's environment", async () => {
    // Prepare
    stack = await startLocalStack({ region: REGION });
    const sqs = new SQSClient({
      endpoint: stack.environment.AWS_ENDPOINT_URL_SQS,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

    // Act
    await stack.provision(sampleResolver());

    // Assess
    const queue = await sqs.send(new GetQueueUrlCommand({ QueueName: 'sample-dev-work' }));
    expect(queue.QueueUrl).toContain('sample-dev-work');
    const table = await stack.clients.dynamodb.send(new DescribeTableCommand({ TableName: 'sample-dev-items' }));
    expect(table.Table?.TableStatus).toBe('ACTIVE');
    sqs.destroy();
  });

  it('closes every stand-in, moving past a handle that never finishes closing', async () => {
    // Prepare
    stack = await startLocalStack({ region: REGION, closeCeilingMs: 500 });
    const endpoints = Object.entries(stack.environment)
      .filter(([name]) => name.startsWith('AWS_ENDPOINT_URL_'))
      .map(([, url]) => url);
    const closedAfterStall: string[] = [];
    stack.onClose(() => closedAfterStall.push('first registered'));
    stack.onClose(() => new Promise(() => undefined));

    // Act
    await stack.close();

    // Assess
    expect(closedAfterStall).toEqual(['first registered']);
    for (const endpoint of endpoints) expect(await accepts(endpoint)).toBe(false);
  });
});
