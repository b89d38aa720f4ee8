/**
 * `LocalStack.rewireService`: a service whose packaged template changed is wired again while the
 * stack runs — its old bus rules stop matching, the new ones deliver, its functions see the new
 * environment. The service folder is written as `osls package` leaves one (no packaging runs).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sourceHandlerLoader } from '@blueprints/local-runtime';
import { type LocalStack, startLocalStack, UnknownLocalServiceError } from '../src/index.js';

const REGION = 'us-east-1';
const QUEUES = { placed: 'shop-dev-placed', shipped: 'shop-dev-shipped' };

/** The packaged template: a bus, two queues, one rule (`detailType` → `queue`), one function reading GREETING. */
function template(rule: { detailType: string; queue: 'PlacedQueue' | 'ShippedQueue' }, greeting: string) {
  return {
    Resources: {
      ShopBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'shop-dev' } },
      PlacedQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: QUEUES.placed } },
      ShippedQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: QUEUES.shipped } },
      RouteRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          // Named after its pattern: a rewire that leaves the old rule behind would still deliver to the old queue.
          Name: `shop-dev-${rule.detailType.replace('.', '-')}`,
          EventBusName: { Ref: 'ShopBus' },
          EventPattern: { 'detail-type': [rule.detailType] },
          Targets: [{ Id: 'queue', Arn: { 'Fn::GetAtt': [rule.queue, 'Arn'] } }],
        },
      },
      GreetLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: 'shop-dev-greet',
          Handler: 'src/handlers/greet.handler',
          Environment: { Variables: { GREETING: greeting } },
        },
      },
    },
  };
}

function writeService(dir: string, packaged: ReturnType<typeof template>): void {
  mkdirSync(join(dir, '.serverless'), { recursive: true });
  writeFileSync(join(dir, '.serverless', 'cloudformation-template-update-stack.json'), JSON.stringify(packaged));
  writeFileSync(
    join(dir, '.serverless', 'serverless-state.json'),
    JSON.stringify({ service: { service: 'shop', provider: { stage: 'dev' }, functions: {}, custom: {} } }),
  );
}

describe('Method: LocalStack.rewireService()', () => {
  let dir: string;
  let stack: LocalStack;
  let sqs: SQSClient;

  /** Puts one event of `detailType` on the shop bus and answers how many messages each queue then holds. */
  async function route(detailType: string): Promise<Record<keyof typeof QUEUES, number>> {
    stack.bus.putEvents([{ EventBusName: 'shop-dev', Source: 'shop', DetailType: detailType, Detail: '{}' }]);
    await stack.settle();
    const count = async (queue: string) => {
      const url = `${stack.environment.AWS_ENDPOINT_URL_SQS}/000000000000/${queue}`;
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      return Messages.length;
    };
    return { placed: await count(QUEUES.placed), shipped: await count(QUEUES.shipped) };
  }

  beforeEach(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'blueprints-rewire-')), 'shop');
    mkdirSync(join(dir, 'src', 'handlers'), { recursive: true });
    writeFileSync(
      join(dir, 'src', 'handlers', 'greet.ts'),
      'export const handler = async () => process.env.GREETING;\n',
    );
    writeService(dir, template({ detailType: 'order.placed', queue: 'PlacedQueue' }, 'hello'));
    stack = await startLocalStack({
      region: REGION,
      services: [dir],
      packageServices: false,
      handlerLoader: (s) => sourceHandlerLoader(s.dir),
    });
    sqs = new SQSClient({
      endpoint: stack.environment.AWS_ENDPOINT_URL_SQS,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }, 60_000);

  afterEach(async () => {
    sqs?.destroy();
    await stack?.close();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it("replaces the service's rules and function definitions with the new template's", async () => {
    // Prepare
    expect(await route('order.placed')).toEqual({ placed: 1, shipped: 0 });
    expect(await stack.service('shop')?.lambda.invoke('shop-dev-greet', {})).toBe('hello');
    writeService(dir, template({ detailType: 'order.shipped', queue: 'ShippedQueue' }, 'howdy'));

    // Act
    const { service, notes } = await stack.rewireService('shop');

    // Assess
    expect(notes).toEqual([]);
    expect(stack.service('shop')).toBe(service);
    expect(stack.bus.localRules.filter((r) => r.busName === 'shop-dev')).toHaveLength(1);
    expect(await route('order.placed')).toEqual({ placed: 0, shipped: 0 });
    expect(await route('order.shipped')).toEqual({ placed: 0, shipped: 1 });
    expect(await service.lambda.invoke('shop-dev-greet', {})).toBe('howdy');
  }, 60_000);

  it('refuses a service it does not run, naming it', async () => {
    // Act & Assess
    await expect(stack.rewireService('nowhere')).rejects.toThrow(UnknownLocalServiceError);
    expect(() => stack.reloadFunctions('nowhere', [])).toThrow('No running service "nowhere"');
  });
});
