import type { CfnTemplate } from '@blueprints/packaging';

/** The EC2 state-change event the EventBridge docs use in their content-filtering examples. */
export function ec2StateChangeEvent(detail: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '012345679012',
    time: '2017-10-02T16:24:49Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
    detail: {
      'c-count': 5,
      'd-count': 3,
      'x-limit': 301.8,
      'source-ip': '10.0.0.33',
      'instance-id': 'i-000000aaaaaa00000',
      state: 'running',
      ...detail,
    },
  };
}

/** An event with an envelope in `detail`, as the services publish it. */
export function envelopeEvent(
  detailType: string,
  detail: Record<string, unknown>,
  source = 'blueprints.orders',
): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: '2026-11-25T01:02:03Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      createdAt: 1764032523000,
      correlationId: 'c0ffee00-0000-4000-8000-000000000001',
      sequenceNr: 1,
      idempotencyKey: 'order-1',
      persist: false,
      context: {},
      ...detail,
    },
  };
}

/**
 * A small packaged template shaped like an event log service's: a custom bus, a rule archiving
 * persisted events to Firehose → S3 as NDJSON, a rule for a Lambda, and a fair-queue rule with
 * `SqsParameters.MessageGroupId: $.detail.brand`.
 */
export function eventLogTemplate(): CfnTemplate {
  return {
    Resources: {
      EventsBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'shop-dev-events' } },
      ArchiveBucket: {
        Type: 'AWS::S3::Bucket',
        Properties: { BucketName: 'shop-dev-archive' },
      },
      ArchiveStream: {
        Type: 'AWS::KinesisFirehose::DeliveryStream',
        Properties: {
          DeliveryStreamName: 'shop-dev-archive',
          DeliveryStreamType: 'DirectPut',
          ExtendedS3DestinationConfiguration: {
            BucketARN: { 'Fn::GetAtt': ['ArchiveBucket', 'Arn'] },
            Prefix: 'events/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
            ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy}/',
            BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 },
            RoleARN: 'arn:aws:iam::000000000000:role/firehose',
          },
        },
      },
      FairQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'shop-dev-fair' } },
      UndeliveredQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'shop-dev-undelivered' } },
      PersistFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: 'shop-dev-persist', Handler: 'src/handlers/persist.handler' },
      },
      ArchiveRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'EventsBus' },
          EventPattern: { detail: { persist: [true] } },
          State: 'ENABLED',
          Targets: [
            {
              Id: 'archive',
              Arn: { 'Fn::GetAtt': ['ArchiveStream', 'Arn'] },
              InputTransformer: { InputTemplate: '<aws.events.event.json>\n' },
            },
          ],
        },
      },
      PersistRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { 'Fn::GetAtt': ['EventsBus', 'Arn'] },
          EventPattern: JSON.stringify({ detail: { persist: [true] } }),
          Targets: [
            {
              Id: 'persist',
              Arn: { 'Fn::GetAtt': ['PersistFunction', 'Arn'] },
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['UndeliveredQueue', 'Arn'] } },
            },
          ],
        },
      },
      FairQueueRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'EventsBus' },
          EventPattern: { 'detail-type': ['order.placed'] },
          Targets: [
            {
              Id: 'fair-queue',
              Arn: { 'Fn::GetAtt': ['FairQueue', 'Arn'] },
              SqsParameters: { MessageGroupId: '$.detail.brand' },
              InputPath: '$.detail',
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['UndeliveredQueue', 'Arn'] } },
            },
          ],
        },
      },
      DisabledRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'EventsBus' },
          EventPattern: { source: [{ prefix: '' }] },
          State: 'DISABLED',
          Targets: [{ Id: 'never', Arn: { 'Fn::GetAtt': ['FairQueue', 'Arn'] } }],
        },
      },
      NightlyRule: {
        Type: 'AWS::Events::Rule',
        Properties: { ScheduleExpression: 'rate(1 day)', Targets: [] },
      },
    },
  };
}
