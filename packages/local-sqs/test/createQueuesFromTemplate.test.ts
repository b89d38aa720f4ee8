import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { functionsFromTemplate } from '@blueprints/local-runtime';
import { type CfnTemplate, TemplateResolver } from '@blueprints/packaging';
import { LocalSqs } from '../src/index.js';
import { sqsClient, stack, workerTemplate } from './helpers/factories.js';

let sqs: LocalSqs;
let client: SQSClient;

beforeEach(async () => {
  sqs = await LocalSqs.start({ region: stack.region, accountId: stack.accountId });
  client = sqsClient(sqs.endpoint);
});

afterEach(async () => {
  client.destroy();
  await sqs.close();
});

describe('Method: LocalSqs.createQueuesFromTemplate()', () => {
  it('creates the dead-letter queue first and applies VisibilityTimeout and RedrivePolicy', async () => {
    // Prepare
    const resolver = new TemplateResolver(workerTemplate({ visibilityTimeout: 7, maxReceiveCount: 5 }), stack);

    // Act
    const queues = await sqs.createQueuesFromTemplate(resolver);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: sqs.queueUrl('jobs-dev-jobs'), AttributeNames: ['All'] }),
    );

    // Assess
    expect(queues.map((q) => [q.logicalId, q.name])).toEqual([
      ['JobsDeadLetterQueue', 'jobs-dev-jobs-dlq'],
      ['JobsQueue', 'jobs-dev-jobs'],
    ]);
    expect(Attributes?.VisibilityTimeout).toBe('7');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:jobs-dev-jobs-dlq',
      maxReceiveCount: 5,
    });
    expect(sqs.getQueue('jobs-dev-jobs-dlq').numberAttribute('MessageRetentionPeriod')).toBe(1209600);
  });

  it('points the resolver at the local queue URLs, so functions resolved afterwards reach this server', async () => {
    // Prepare
    const resolver = new TemplateResolver(workerTemplate(), stack);

    // Act
    await sqs.createQueuesFromTemplate(resolver);
    const [worker] = functionsFromTemplate(resolver);
    await client.send(new SendMessageCommand({ QueueUrl: worker?.environment.JOBS_QUEUE_URL, MessageBody: 'x' }));

    // Assess
    expect(worker?.environment.JOBS_QUEUE_URL).toBe(`${sqs.endpoint}/123456789012/jobs-dev-jobs`);
    expect(resolver.resolve({ 'Fn::GetAtt': ['JobsQueue', 'QueueUrl'] })).toBe(worker?.environment.JOBS_QUEUE_URL);
    expect(resolver.resolve({ 'Fn::GetAtt': ['JobsQueue', 'Arn'] })).toBe(sqs.queueArn('jobs-dev-jobs'));
    expect(sqs.counts('jobs-dev-jobs').visible).toBe(1);
  });

  it('generates names for unnamed queues, with the .fifo suffix for FIFO queues', async () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        Plain: { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: 2 } },
        Ordered: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true, ContentBasedDeduplication: true } },
        OrderedSource: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            FifoQueue: true,
            RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Ordered', 'Arn'] }, maxReceiveCount: 2 },
          },
        },
      },
    };
    const resolver = new TemplateResolver(template, stack);

    // Act
    const queues = await sqs.createQueuesFromTemplate(resolver);

    // Assess
    expect(queues.map((q) => q.name).sort()).toEqual([
      'jobs-dev-Ordered.fifo',
      'jobs-dev-OrderedSource.fifo',
      'jobs-dev-Plain',
    ]);
    expect(sqs.getQueue('jobs-dev-Plain').numberAttribute('DelaySeconds')).toBe(2);
    expect(sqs.getQueue('jobs-dev-Ordered.fifo').contentBasedDeduplication).toBe(true);
    expect(sqs.getQueue('jobs-dev-OrderedSource.fifo').redrivePolicy?.deadLetterTargetArn).toBe(
      sqs.queueArn('jobs-dev-Ordered.fifo'),
    );
  });

  it('fails clearly when a RedrivePolicy names a queue the template does not declare', async () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        Source: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:elsewhere', maxReceiveCount: 2 },
          },
        },
      },
    };

    // Act
    const create = sqs.createQueuesFromTemplate(new TemplateResolver(template, stack));

    // Assess
    await expect(create).rejects.toThrow('Dead letter target does not exist');
  });
});
