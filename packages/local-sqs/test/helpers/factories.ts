import { SQSClient } from '@aws-sdk/client-sqs';
import type { Handler, HandlerLoader } from '@blueprints/local-runtime';
import type { CfnTemplate, StackContext } from '@blueprints/packaging';

export const stack: StackContext = { stackName: 'jobs-dev', region: 'eu-west-1', accountId: '123456789012' };

/** An SQS client of the current SDK pointed at a local endpoint. */
export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: stack.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export interface WorkerTemplateOptions {
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  reportBatchItemFailures?: boolean;
  enabled?: boolean;
  visibilityTimeout?: number;
  maxReceiveCount?: number;
  fifo?: boolean;
  /** An event pattern for the mapping's FilterCriteria. */
  filterPattern?: unknown;
}

/**
 * A template shaped like the one `osls package` writes for a function with an `sqs` event:
 * a queue with a DLQ, the function, and its event source mapping.
 */
export function workerTemplate(options: WorkerTemplateOptions = {}): CfnTemplate {
  const suffix = options.fifo ? '.fifo' : '';
  const fifoProps = options.fifo ? { FifoQueue: true, ContentBasedDeduplication: true } : {};
  const mapping: Record<string, unknown> = {
    BatchSize: options.batchSize ?? 10,
    EventSourceArn: { 'Fn::GetAtt': ['JobsQueue', 'Arn'] },
    FunctionName: { 'Fn::GetAtt': ['WorkerLambdaFunction', 'Arn'] },
    Enabled: options.enabled ?? true,
  };
  if (options.maximumBatchingWindowInSeconds !== undefined) {
    mapping.MaximumBatchingWindowInSeconds = options.maximumBatchingWindowInSeconds;
  }
  if (options.reportBatchItemFailures ?? true) mapping.FunctionResponseTypes = ['ReportBatchItemFailures'];
  if (options.filterPattern !== undefined) {
    mapping.FilterCriteria = { Filters: [{ Pattern: JSON.stringify(options.filterPattern) }] };
  }
  return {
    Resources: {
      JobsDeadLetterQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: { 'Fn::Sub': `\${AWS::StackName}-jobs-dlq${suffix}` },
          MessageRetentionPeriod: 1209600,
          ...fifoProps,
        },
      },
      JobsQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: { 'Fn::Sub': `\${AWS::StackName}-jobs${suffix}` },
          VisibilityTimeout: options.visibilityTimeout ?? 1,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': ['JobsDeadLetterQueue', 'Arn'] },
            maxReceiveCount: options.maxReceiveCount ?? 3,
          },
          ...fifoProps,
        },
      },
      WorkerLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: 'jobs-dev-worker',
          Handler: 'src/handlers/worker.handler',
          Timeout: 6,
          Environment: { Variables: { JOBS_QUEUE_URL: { Ref: 'JobsQueue' } } },
        },
      },
      WorkerEventSourceMappingSQSJobsQueue: { Type: 'AWS::Lambda::EventSourceMapping', Properties: mapping },
    },
  };
}

/** A loader that hands LocalLambda the in-test handler for each function logical id. */
export function inlineHandlers(handlers: Record<string, Handler>): HandlerLoader {
  return async (fn) => {
    const handler = handlers[fn.logicalId];
    if (!handler) throw new Error(`no in-test handler for ${fn.logicalId}`);
    return handler;
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
