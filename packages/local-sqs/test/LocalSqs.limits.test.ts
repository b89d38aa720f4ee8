import {
  BatchRequestTooLong,
  CreateQueueCommand,
  InvalidAttributeValue,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SQS_MAX_BATCH_BYTES, SQS_MAX_MESSAGE_BYTES } from '@blueprints/common';
import { awsJsonHeaders, postOversizedBody, rawPost } from '@blueprints/fault-injection';
import { LocalSqs, SQS_MAX_BODY_BYTES } from '../src/index.js';
import { sqsClient } from './helpers/factories.js';

describe('Class: LocalSqs (limits and malformed input)', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    sqs = await LocalSqs.start();
    client = sqsClient(sqs.endpoint);
    queueUrl = (await client.send(new CreateQueueCommand({ QueueName: 'limits' }))).QueueUrl as string;
  });

  afterAll(async () => {
    client.destroy();
    await sqs.close();
  });

  describe('Limits from @blueprints/common', () => {
    it('accepts a message of exactly SQS_MAX_MESSAGE_BYTES and refuses one byte more', async () => {
      // Prepare
      const atLimit = 'x'.repeat(SQS_MAX_MESSAGE_BYTES);
      const overLimit = 'x'.repeat(SQS_MAX_MESSAGE_BYTES + 1);

      // Act
      const accepted = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: atLimit }));
      const refused = client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: overLimit }));

      // Assess
      expect(SQS_MAX_MESSAGE_BYTES).toBe(1_048_576);
      expect(accepted.MessageId).toEqual(expect.any(String));
      await expect(refused).rejects.toMatchObject({
        name: 'InvalidParameterValue',
        message: expect.stringContaining('Message must be shorter than 1048576 bytes'),
      });
    });

    it('counts message attributes towards the limit', async () => {
      // Prepare: attribute name 'a' + type 'String' + value 'v' = 8 bytes
      const attributes = { a: { DataType: 'String', StringValue: 'v' } };
      const body = (bytes: number) => 'x'.repeat(bytes);

      // Act
      const accepted = await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body(SQS_MAX_MESSAGE_BYTES - 8),
          MessageAttributes: attributes,
        }),
      );
      const refused = client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body(SQS_MAX_MESSAGE_BYTES - 7),
          MessageAttributes: attributes,
        }),
      );

      // Assess
      expect(accepted.MessageId).toEqual(expect.any(String));
      await expect(refused).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    });

    it('accepts a batch of exactly SQS_MAX_BATCH_BYTES and refuses one byte more with BatchRequestTooLong', async () => {
      // Prepare
      const half = SQS_MAX_BATCH_BYTES / 2;
      const batch = (second: number) => [
        { Id: 'a', MessageBody: 'x'.repeat(half) },
        { Id: 'b', MessageBody: 'y'.repeat(second) },
      ];

      // Act
      const accepted = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch(half) }));
      const refused = client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch(half + 1) }));

      // Assess
      expect(accepted.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
      await expect(refused).rejects.toBeInstanceOf(BatchRequestTooLong);
    });

    it('lets MaximumMessageSize range up to SQS_MAX_MESSAGE_BYTES and holds messages to the queue setting', async () => {
      // Prepare
      const create = (name: string, size: number) =>
        client.send(new CreateQueueCommand({ QueueName: name, Attributes: { MaximumMessageSize: String(size) } }));

      // Act
      const small = (await create('small', 1_024)).QueueUrl as string;
      await create('largest', SQS_MAX_MESSAGE_BYTES);
      const tooLarge = create('too-large', SQS_MAX_MESSAGE_BYTES + 1);
      const tooSmall = create('too-small', 1_023);
      const fits = await client.send(new SendMessageCommand({ QueueUrl: small, MessageBody: 'x'.repeat(1_024) }));
      const over = client.send(new SendMessageCommand({ QueueUrl: small, MessageBody: 'x'.repeat(1_025) }));

      // Assess
      await expect(tooLarge).rejects.toBeInstanceOf(InvalidAttributeValue);
      await expect(tooSmall).rejects.toBeInstanceOf(InvalidAttributeValue);
      expect(fits.MessageId).toEqual(expect.any(String));
      await expect(over).rejects.toMatchObject({ message: expect.stringContaining('shorter than 1024 bytes') });
    });

    it('answers a 10 MB body with a 413 before the body has ended, and keeps serving', async () => {
      // Prepare: a client that sends 7 MiB of a 10 MB body, then waits for an answer before sending the rest
      const headers = awsJsonHeaders('AmazonSQS.SendMessage', '1.0');

      // Act
      const answer = await postOversizedBody(sqs.endpoint, headers, {
        totalBytes: 10_000_000,
        sentBeforeAnswer: 7 * 1_048_576,
      });
      const after = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'still here' }));

      // Assess
      expect(answer.status).toBe(413);
      expect(answer.body).toEqual({
        __type: 'com.amazon.coral.service#RequestEntityTooLargeException',
        message: `Request body is larger than ${SQS_MAX_BODY_BYTES} bytes.`,
      });
      expect(SQS_MAX_BODY_BYTES).toBeLessThan(7 * 1_048_576);
      expect(after.MessageId).toEqual(expect.any(String));
    });
  });

  describe('Malformed input', () => {
    it.each([
      ['a body that is not JSON', 'SendMessage', '{bad', 'SerializationException'],
      ['a JSON array body', 'SendMessage', '[1]', 'SerializationException'],
      [
        'CreateQueue Attributes that are a string',
        'CreateQueue',
        '{"QueueName":"q","Attributes":"x"}',
        'SerializationException',
      ],
      ['CreateQueue tags that are a number', 'CreateQueue', '{"QueueName":"q","tags":5}', 'SerializationException'],
      ['a ListQueues prefix that is a number', 'ListQueues', '{"QueueNamePrefix":5}', 'SerializationException'],
      [
        'SetQueueAttributes Attributes that are a number',
        'SetQueueAttributes',
        'QUEUE{"Attributes":5}',
        'SerializationException',
      ],
      ['TagQueue Tags with a number value', 'TagQueue', 'QUEUE{"Tags":{"a":1}}', 'SerializationException'],
    ])('answers %s with an AWS-shaped 400 (%s)', async (_what, operation, body, type) => {
      // Prepare
      const json = body.startsWith('QUEUE')
        ? JSON.stringify({ QueueUrl: queueUrl, ...JSON.parse(body.slice('QUEUE'.length)) })
        : body;

      // Act
      const answer = await rawPost(sqs.endpoint, awsJsonHeaders(`AmazonSQS.${operation}`, '1.0'), json);

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ __type: `com.amazon.coral.service#${type}`, message: expect.any(String) });
      expect(answer.text).not.toMatch(/TypeError|Cannot read|\bat .*\.(ts|js):\d+/);
    });
  });
});
