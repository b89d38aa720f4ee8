import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTemplate, isReadOnlyAction, type Template } from '../src/index.js';

const fixture = (name: string): Template =>
  JSON.parse(readFileSync(join(import.meta.dirname ?? __dirname, 'fixtures', `${name}.json`), 'utf8')) as Template;

describe('Function: checkTemplate()', () => {
  it('passes a valid template', () => {
    expect(checkTemplate(fixture('valid'))).toEqual([]);
  });

  it.each([
    [
      'misspelled-property',
      'Proxy',
      'unknown-property',
      'RequireTls is not a property of AWS::RDS::DBProxy (did you mean RequireTLS?)',
    ],
    [
      'property-at-wrong-level',
      'Proxy',
      'unknown-property',
      'IAMAuth is not a property of AWS::RDS::DBProxy (it belongs inside Auth)',
    ],
    ['missing-required-property', 'Proxy', 'missing-required-property', 'AWS::RDS::DBProxy requires EngineFamily'],
    [
      'bad-getatt',
      'Outputs.ProxyEndpoint',
      'bad-getatt',
      'Fn::GetAtt Proxy.ReaderEndpoint: AWS::RDS::DBProxy has no attribute ReaderEndpoint',
    ],
    ['write-on-star', 'WorkerRole', 'iam-write-on-star', 'allows write action s3:PutObject on "Resource": "*"'],
    ['action-star', 'WorkerRole', 'iam-action-star', 'allows "Action": "*"'],
    ['open-bucket', 'Bucket', 's3-encryption', 'bucket has no BucketEncryption'],
    [
      'queue-without-dlq',
      'Work',
      'sqs-dlq',
      'queue feeds a function (WorkerQueueTrigger) but has no dead-letter queue',
    ],
    ['log-group-without-retention', 'WorkerLogGroup', 'log-retention', 'log group of Worker has no RetentionInDays'],
    ['exception-without-reason', 'WorkerRole', 'bad-exception', 'exception for iam-write-on-star has no reason'],
  ])('fails %s naming the resource, the rule and what is wrong', (name, resource, rule, message) => {
    // Act
    const violations = checkTemplate(fixture(name));

    // Assess
    expect(violations).toContainEqual(
      expect.objectContaining({ resource, rule, message: expect.stringContaining(message) }),
    );
  });

  it('names the exact path of a nested violation', () => {
    const [violation] = checkTemplate(fixture('property-at-wrong-level'));
    expect(violation).toEqual(expect.objectContaining({ path: 'Properties.IAMAuth' }));
  });

  it('honours an exception declared on the resource with a reason', () => {
    expect(checkTemplate(fixture('write-on-star-with-exception'))).toEqual([]);
  });

  it('flags public access blocks that are only partly set', () => {
    // Prepare
    const template = fixture('valid');
    const bucket = template.Resources.Bucket!.Properties!;
    (bucket.PublicAccessBlockConfiguration as Record<string, boolean>).RestrictPublicBuckets = false;

    // Act
    const violations = checkTemplate(template);

    // Assess
    expect(violations).toEqual([
      expect.objectContaining({ rule: 's3-public-access', message: expect.stringContaining('RestrictPublicBuckets') }),
    ]);
  });

  it('checks nested shapes: a list where an object is expected', () => {
    const template = fixture('valid');
    template.Resources.Bucket!.Properties!.BucketEncryption = [{ ServerSideEncryptionConfiguration: [] }];
    expect(checkTemplate(template)).toContainEqual(
      expect.objectContaining({ rule: 'wrong-shape', path: 'Properties.BucketEncryption' }),
    );
  });

  it('rejects an unknown resource type and a Ref to nothing', () => {
    const template = fixture('valid');
    template.Resources.Extra = { Type: 'AWS::SQS::Queues', Properties: {} };
    template.Resources.Worker!.Properties!.Code = { S3Bucket: { Ref: 'NoSuchBucket' }, S3Key: 'x.zip' };
    const violations = checkTemplate(template);
    expect(violations).toContainEqual(expect.objectContaining({ resource: 'Extra', rule: 'unknown-resource-type' }));
    expect(violations).toContainEqual(
      expect.objectContaining({
        resource: 'Worker',
        rule: 'bad-ref',
        message: expect.stringContaining('NoSuchBucket'),
      }),
    );
  });
});

describe('Function: isReadOnlyAction()', () => {
  it.each([
    ['dynamodb:GetItem', true],
    ['dynamodb:Query', true],
    ['ec2:Describe*', true],
    ['iot:DescribeEndpoint', true],
    ['s3:PutObject', false],
    ['s3:*', false],
    ['logs:CreateLogStream', false],
    ['sqs:ReceiveMessage', false],
  ])('classifies %s as read-only: %s', (action, expected) => {
    expect(isReadOnlyAction(action)).toBe(expected);
  });
});
