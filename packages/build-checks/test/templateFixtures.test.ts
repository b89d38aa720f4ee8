import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnTemplate } from '@blueprints/packaging';
import { ASYNC_INVOKERS, checkTemplate, isReadOnlyAction } from '../src/index.js';

const fixture = (name: string): CfnTemplate =>
  JSON.parse(readFileSync(join(import.meta.dirname ?? __dirname, 'fixtures', `${name}.json`), 'utf8')) as CfnTemplate;

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

describe('Function: checkTemplate(): failure paths and public entry points', () => {
  type Resources = CfnTemplate['Resources'];
  const resources = (name: string): [CfnTemplate, Resources] => {
    const template = fixture(name);
    return [template, template.Resources];
  };

  it('passes a template whose async hops have watched failure paths and whose public entry points are capped', () => {
    expect(checkTemplate(fixture('async-and-public-valid'))).toEqual([]);
  });

  it.each([
    [
      'dlq-without-alarm',
      'UndeliveredEvents',
      'dlq-alarm',
      'dead-letter queue (of ConsumerRule Properties.Targets[0].DeadLetterConfig) has no CloudWatch alarm',
    ],
    [
      'pipe-without-alarm',
      'Pipe',
      'pipe-alarm',
      'pipe has no CloudWatch alarm on its failure metrics: add an AWS::CloudWatch::Alarm on AWS/EventBridge/Pipes',
    ],
    [
      'async-function-without-on-failure',
      'Presence',
      'async-on-failure',
      'function is invoked asynchronously (PresenceRulePermission: iot.amazonaws.com) but has no on-failure destination',
    ],
    ['iot-rule-without-error-action', 'PresenceRule', 'iot-error-action', 'topic rule has no ErrorAction'],
    [
      'rule-target-without-dlq',
      'ConsumerRule',
      'rule-target-dlq',
      'target "consumer" has no DeadLetterConfig.Arn and no RetryPolicy',
    ],
    [
      'secret-in-environment',
      'Articles',
      'secret-in-environment',
      'API_KEY holds a {{resolve:secretsmanager:…}} reference',
    ],
    [
      'stage-without-throttling',
      'HttpApiStage',
      'http-api-throttling',
      'API stage has no default route throttling (ThrottlingBurstLimit, ThrottlingRateLimit not set)',
    ],
    [
      'public-route-without-reserved-concurrency',
      'Articles',
      'public-concurrency',
      'public route "GET /articles" (HttpApiRouteGetArticles, no authorizer)) with no ReservedConcurrentExecutions',
    ],
    [
      'iot-authorizer-timeout',
      'Authorizer',
      'iot-authorizer-timeout',
      'IoT custom authorizer of IotAuthorizer with a 10 s timeout, but IoT Core gives an authorizer at most 5 s',
    ],
  ])('fails %s with one violation naming the resource and what to add', (name, resource, rule, message) => {
    // Act
    const violations = checkTemplate(fixture(name));

    // Assess
    expect(violations).toEqual([
      expect.objectContaining({ resource, rule, message: expect.stringContaining(message) }),
    ]);
  });

  it('names every user of a dead-letter queue: a function DeadLetterConfig and an on-failure destination', () => {
    // Prepare
    const [template, r] = resources('async-and-public-valid');
    delete r.FailedInvocationsAlarm;

    // Act
    const violations = checkTemplate(template);

    // Assess
    expect(violations).toEqual([
      expect.objectContaining({
        resource: 'FailedInvocations',
        rule: 'dlq-alarm',
        message: expect.stringContaining(
          'of PresenceInvokeConfig Properties.DestinationConfig.OnFailure, Consumer Properties.DeadLetterConfig',
        ),
      }),
    ]);
  });

  it('counts an alarm whose dimension names the queue by its literal QueueName', () => {
    // Prepare
    const [template, r] = resources('async-and-public-valid');
    r.UndeliveredEvents!.Properties!.QueueName = 'demo-dev-undelivered';
    r.UndeliveredEventsAlarm!.Properties!.Dimensions = [{ Name: 'QueueName', Value: 'demo-dev-undelivered' }];

    // Act & Assess
    expect(checkTemplate(template)).toEqual([]);
  });

  it('does not count a pipe alarm on a metric that is not a failure metric', () => {
    // Prepare
    const [template, r] = resources('async-and-public-valid');
    r.PipeFailedAlarm!.Properties!.MetricName = 'EventCount';

    // Act & Assess
    expect(checkTemplate(template)).toEqual([expect.objectContaining({ resource: 'Pipe', rule: 'pipe-alarm' })]);
  });

  it.each(ASYNC_INVOKERS.filter((p) => p !== 'iot.amazonaws.com'))(
    'treats a permission for %s as an asynchronous invocation',
    (principal) => {
      // Prepare
      const [template, r] = resources('async-and-public-valid');
      r.ArticlesExtraPermission = {
        Type: 'AWS::Lambda::Permission',
        Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Articles' }, Principal: principal },
      };

      // Act & Assess
      expect(checkTemplate(template)).toEqual([
        expect.objectContaining({ resource: 'Articles', rule: 'async-on-failure' }),
      ]);
    },
  );

  it('flags a {{resolve:ssm-secure:…}} reference as well', () => {
    // Prepare
    const [template, r] = resources('async-and-public-valid');
    (r.Articles!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.TOKEN =
      '{{resolve:ssm-secure:/demo/token:1}}';

    // Act & Assess
    expect(checkTemplate(template)).toEqual([
      expect.objectContaining({ path: 'Properties.Environment.Variables.TOKEN', rule: 'secret-in-environment' }),
    ]);
  });

  it('treats a route with an authorizer as not public, and a function URL with AuthType NONE as public', () => {
    // Prepare
    const [template, r] = resources('public-route-without-reserved-concurrency');
    r.HttpApiRouteGetArticles!.Properties!.AuthorizationType = 'AWS_IAM';
    r.PresenceUrl = {
      Type: 'AWS::Lambda::Url',
      Properties: { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': ['Presence', 'Arn'] } },
    };

    // Act & Assess
    expect(checkTemplate(template)).toEqual([
      expect.objectContaining({
        resource: 'Presence',
        rule: 'public-concurrency',
        message: expect.stringContaining('function URL PresenceUrl with AuthType NONE'),
      }),
    ]);
  });

  it("takes Lambda's 3 s default for an authorizer function that declares no timeout", () => {
    // Prepare
    const [template, r] = resources('iot-authorizer-timeout');
    delete r.Authorizer!.Properties!.Timeout;

    // Act & Assess
    expect(checkTemplate(template)).toEqual([]);
  });

  it('honours an exception to a new rule declared with a reason, and rejects one without', () => {
    // Prepare
    const [withReason, r1] = resources('public-route-without-reserved-concurrency');
    r1.Articles!.Metadata = {
      templateCheck: { allow: [{ rule: 'public-concurrency', reason: 'capped by the stage throttling alone' }] },
    };
    const [withoutReason, r2] = resources('public-route-without-reserved-concurrency');
    r2.Articles!.Metadata = { templateCheck: { allow: [{ rule: 'public-concurrency' }] } };

    // Act & Assess
    expect(checkTemplate(withReason)).toEqual([]);
    expect(checkTemplate(withoutReason)).toEqual([
      expect.objectContaining({ resource: 'Articles', rule: 'public-concurrency' }),
      expect.objectContaining({ resource: 'Articles', rule: 'bad-exception' }),
    ]);
  });

  it('rejects an exception that names an unknown rule', () => {
    // Prepare
    const [template, r] = resources('async-and-public-valid');
    r.Articles!.Metadata = { templateCheck: { allow: [{ rule: 'public-concurency', reason: 'typo' }] } };

    // Act & Assess
    expect(checkTemplate(template)).toEqual([
      expect.objectContaining({
        resource: 'Articles',
        rule: 'bad-exception',
        message: expect.stringContaining('exception names unknown rule public-concurency; rules: '),
      }),
    ]);
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
