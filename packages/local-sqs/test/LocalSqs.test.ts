import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  type QueueAttributeName,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
  SQSServiceException,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { LocalSqs } from '../src/index.js';
import { sleep, sqsClient } from './helpers/factories.js';

let sqs: LocalSqs;
let client: SQSClient;

beforeEach(async () => {
  sqs = await LocalSqs.start({ region: 'eu-west-1', accountId: '123456789012' });
  client = sqsClient(sqs.endpoint);
});

afterEach(async () => {
  client.destroy();
  await sqs.close();
});

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl as string;
}

describe('Class: LocalSqs', () => {
  describe('queues', () => {
    it('creates, finds and lists queues over the JSON protocol on 127.0.0.1', async () => {
      // Prepare
      const url = await createQueue('orders');
      await createQueue('orders-dlq');
      await createQueue('payments');

      // Act
      const found = await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
      const listed = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'orders' }));

      // Assess
      expect(sqs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(url).toBe(`${sqs.endpoint}/123456789012/orders`);
      expect(found.QueueUrl).toBe(url);
      expect(listed.QueueUrls).toEqual([url, `${sqs.endpoint}/123456789012/orders-dlq`]);
    });

    it('returns the same URL for an identical CreateQueue and QueueNameExists for different attributes', async () => {
      // Prepare
      const url = await createQueue('orders', { VisibilityTimeout: '10' });

      // Act
      const again = await createQueue('orders', { VisibilityTimeout: '10' });
      const conflict = client.send(
        new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '20' } }),
      );

      // Assess
      expect(again).toBe(url);
      await expect(conflict).rejects.toBeInstanceOf(QueueNameExists);
    });

    it('reports the queue attributes and message counts', async () => {
      // Prepare
      await createQueue('orders-dlq');
      const url = await createQueue('orders', {
        VisibilityTimeout: '45',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:orders-dlq',
          maxReceiveCount: 4,
        }),
      });
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b' }));
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'c', DelaySeconds: 60 }));
      await client.send(new ReceiveMessageCommand({ QueueUrl: url }));

      // Act
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
      );

      // Assess
      expect(Attributes).toMatchObject({
        QueueArn: 'arn:aws:sqs:eu-west-1:123456789012:orders',
        VisibilityTimeout: '45',
        ApproximateNumberOfMessages: '1',
        ApproximateNumberOfMessagesNotVisible: '1',
        ApproximateNumberOfMessagesDelayed: '1',
        MaximumMessageSize: '1048576',
      });
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:orders-dlq',
        maxReceiveCount: 4,
      });
    });

    it('rejects a RedrivePolicy whose dead-letter queue does not exist', async () => {
      // Act
      const create = createQueue('orders', {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:nope',
          maxReceiveCount: 3,
        }),
      });

      // Assess
      await expect(create).rejects.toThrow('Dead letter target does not exist');
    });
  });

  describe('messages', () => {
    it('keeps MessageGroupId on a standard queue and returns every system attribute asked for', async () => {
      // Prepare
      const url = await createQueue('fair');
      const sent = await client.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: '{"brand":"A"}', MessageGroupId: 'brand-a' }),
      );

      // Act
      const { Messages } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['All'] }),
      );

      // Assess
      expect(Messages).toHaveLength(1);
      const [message] = Messages ?? [];
      expect(message?.MessageId).toBe(sent.MessageId);
      expect(message?.Body).toBe('{"brand":"A"}');
      expect(message?.Attributes).toMatchObject({
        MessageGroupId: 'brand-a',
        ApproximateReceiveCount: '1',
        SenderId: 'local',
      });
      expect(Number(message?.Attributes?.SentTimestamp)).toBeGreaterThan(Date.now() - 10_000);
      expect(Number(message?.Attributes?.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
        Number(message?.Attributes?.SentTimestamp),
      );
    });

    it('returns only the named system attributes through the older AttributeNames list', async () => {
      // Prepare
      const url = await createQueue('fair');
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'brand-b' }));

      // Act: older code passes message system attribute names here; the SDK types the list as queue attributes.
      const AttributeNames = ['MessageGroupId', 'ApproximateReceiveCount'] as unknown as QueueAttributeName[];
      const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url, AttributeNames }));

      // Assess
      expect(Messages?.[0]?.Attributes).toEqual({ MessageGroupId: 'brand-b', ApproximateReceiveCount: '1' });
    });

    it('stores message attributes and reports the MD5 digests SQS computes', async () => {
      // Prepare
      const url = await createQueue('orders');
      const MessageAttributes = {
        tenant: { DataType: 'String', StringValue: 'brand-a' },
        priority: { DataType: 'Number', StringValue: '3' },
        blob: { DataType: 'Binary', BinaryValue: Uint8Array.from([1, 2, 3, 250]) },
      };

      // Act
      const sent = await client.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello', MessageAttributes }),
      );
      const { Messages } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }),
      );

      // Assess: digests from an independent implementation (npm aws-md5-of-message-attributes) and md5('hello').
      expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');
      expect(sent.MD5OfMessageAttributes).toBe('e3007476e7e92719ceeb59cceaa8263b');
      const [message] = Messages ?? [];
      expect(message?.MD5OfBody).toBe('5d41402abc4b2a76b9719d911017c592');
      expect(message?.MD5OfMessageAttributes).toBe('e3007476e7e92719ceeb59cceaa8263b');
      expect(message?.MessageAttributes?.tenant).toEqual({ DataType: 'String', StringValue: 'brand-a' });
      expect(Array.from(message?.MessageAttributes?.blob?.BinaryValue ?? [])).toEqual([1, 2, 3, 250]);
    });

    it('selects message attributes by name and by prefix', async () => {
      // Prepare
      const url = await createQueue('orders');
      await client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: 'x',
          MessageAttributes: {
            'trace.id': { DataType: 'String', StringValue: 't1' },
            'trace.span': { DataType: 'String', StringValue: 's1' },
            tenant: { DataType: 'String', StringValue: 'a' },
          },
        }),
      );

      // Act
      const { Messages } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['trace.*'] }),
      );

      // Assess
      expect(Object.keys(Messages?.[0]?.MessageAttributes ?? {}).sort()).toEqual(['trace.id', 'trace.span']);
    });

    it('hides a received message for the visibility timeout, then delivers it again with a higher receive count', async () => {
      // Prepare
      const url = await createQueue('orders', { VisibilityTimeout: '1' });
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
      const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));

      // Act
      const whileHidden = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
      await sleep(1100);
      const again = await client.send(
        new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
      );

      // Assess
      expect(first.Messages).toHaveLength(1);
      expect(whileHidden.Messages).toBeUndefined();
      expect(again.Messages?.[0]?.MessageId).toBe(first.Messages?.[0]?.MessageId);
      expect(again.Messages?.[0]?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
      expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    });

    it('makes a message visible at once when its visibility is changed to 0', async () => {
      // Prepare
      const url = await createQueue('orders', { VisibilityTimeout: '300' });
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
      const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));

      // Act
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: first.Messages?.[0]?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
      const again = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));

      // Assess
      expect(again.Messages?.[0]?.MessageId).toBe(first.Messages?.[0]?.MessageId);
    });

    it('deletes with the latest receipt handle and ignores a stale one', async () => {
      // Prepare
      const url = await createQueue('orders', { VisibilityTimeout: '0' });
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
      const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
      const second = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));

      // Act
      await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }));
      const countAfterStale = sqs.messages('orders').length;
      await client.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.Messages?.[0]?.ReceiptHandle }),
      );

      // Assess
      expect(countAfterStale).toBe(1);
      expect(sqs.messages('orders')).toHaveLength(0);
    });

    it('waits for a message during a long poll and returns as soon as one arrives', async () => {
      // Prepare
      const url = await createQueue('orders');
      const started = Date.now();

      // Act
      const polling = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
      await sleep(200);
      await sqs.sendMessage(url, 'late');
      const { Messages } = await polling;

      // Assess
      expect(Messages?.[0]?.Body).toBe('late');
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('returns an empty response when a long poll times out', async () => {
      // Prepare
      const url = await createQueue('orders');
      const started = Date.now();

      // Act
      const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));

      // Assess
      expect(Messages).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    });

    it('delays a message by its DelaySeconds', async () => {
      // Prepare
      const url = await createQueue('orders');
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 1 }));

      // Act
      const early = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
      const waited = await client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 3 }));

      // Assess
      expect(early.Messages).toBeUndefined();
      expect(waited.Messages?.[0]?.Body).toBe('later');
    });

    it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
      // Prepare
      await createQueue('orders-dlq');
      const url = await createQueue('orders', {
        VisibilityTimeout: '0',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:orders-dlq',
          maxReceiveCount: 2,
        }),
      });
      const sent = await client.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison', MessageGroupId: 'brand-a' }),
      );

      // Act
      const receives = [];
      for (let i = 0; i < 3; i++) receives.push(await client.send(new ReceiveMessageCommand({ QueueUrl: url })));
      const dead = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: `${sqs.endpoint}/123456789012/orders-dlq`,
          MessageSystemAttributeNames: ['All'],
        }),
      );

      // Assess
      expect(receives.map((r) => r.Messages?.length ?? 0)).toEqual([1, 1, 0]);
      expect(dead.Messages?.[0]?.MessageId).toBe(sent.MessageId);
      expect(dead.Messages?.[0]?.Body).toBe('poison');
      expect(dead.Messages?.[0]?.Attributes).toMatchObject({
        MessageGroupId: 'brand-a',
        DeadLetterQueueSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:orders',
      });
    });

    it('serves the quiet tenant of a fair queue before the noisy tenant backlog', async () => {
      // Prepare
      const url = await createQueue('fair');
      for (let i = 0; i < 6; i++) {
        await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `A${i}`, MessageGroupId: 'A' }));
      }
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'B0', MessageGroupId: 'B' }));

      // Act
      const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 3 }));

      // Assess
      expect(Messages?.map((m) => m.Body)).toEqual(['A0', 'B0', 'A1']);
    });

    it('accepts a queue URL with any host and a queue ARN', async () => {
      // Prepare
      await createQueue('orders');

      // Act
      await client.send(
        new SendMessageCommand({
          QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders',
          MessageBody: '1',
        }),
      );
      await sqs.sendMessage('arn:aws:sqs:eu-west-1:123456789012:orders', '2', { messageGroupId: 'g' });

      // Assess
      expect(
        sqs
          .messages('orders')
          .map((m) => [m.body, m.messageGroupId])
          .sort(),
      ).toEqual([
        ['1', undefined],
        ['2', 'g'],
      ]);
    });

    it('reports every accepted message to onMessage listeners', async () => {
      // Prepare
      const url = await createQueue('orders');
      const seen: string[] = [];
      sqs.onMessage(({ queue, message }) => seen.push(`${queue}:${message.body}:${message.messageGroupId}`));

      // Act
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'A' }));
      await sqs.sendMessage(url, 'y', { messageGroupId: 'B' });

      // Assess
      expect(seen).toEqual(['orders:x:A', 'orders:y:B']);
    });

    it('purges every message', async () => {
      // Prepare
      const url = await createQueue('orders');
      await sqs.sendMessage(url, 'x');

      // Act
      await client.send(new PurgeQueueCommand({ QueueUrl: url }));

      // Assess
      expect(sqs.counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    });
  });

  describe('batches', () => {
    it('sends a batch and reports the invalid entries as Failed', async () => {
      // Prepare
      const url = await createQueue('orders');

      // Act
      const result = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'ok-1', MessageBody: 'one', MessageGroupId: 'A' },
            { Id: 'bad', MessageBody: 'two', MessageDeduplicationId: 'not-on-standard' },
            { Id: 'ok-2', MessageBody: 'three' },
          ],
        }),
      );

      // Assess
      expect(result.Successful?.map((s) => s.Id)).toEqual(['ok-1', 'ok-2']);
      expect(result.Failed).toEqual([
        expect.objectContaining({ Id: 'bad', SenderFault: true, Code: 'InvalidParameterValue' }),
      ]);
      expect(sqs.messages(url).map((m) => m.body)).toEqual(['one', 'three']);
    });

    it('deletes a batch by receipt handle', async () => {
      // Prepare
      const url = await createQueue('orders');
      await client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'a', MessageBody: 'a' },
            { Id: 'b', MessageBody: 'b' },
          ],
        }),
      );
      const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));

      // Act
      const result = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: (Messages ?? []).map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
        }),
      );

      // Assess
      expect(result.Successful).toHaveLength(2);
      expect(sqs.messages(url)).toHaveLength(0);
    });

    it('rejects more than 10 entries, repeated ids and more than 1 MiB in total', async () => {
      // Prepare
      const url = await createQueue('orders');
      const entries = (n: number, body = 'x') =>
        Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: body }));

      // Act
      const tooMany = client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(11) }));
      const repeated = client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'same', MessageBody: '1' },
            { Id: 'same', MessageBody: '2' },
          ],
        }),
      );
      const tooLong = client.send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(3, 'x'.repeat(400_000)) }),
      );

      // Assess
      await expect(tooMany).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
      await expect(repeated).rejects.toBeInstanceOf(BatchEntryIdsNotDistinct);
      await expect(tooLong).rejects.toBeInstanceOf(BatchRequestTooLong);
      expect(sqs.messages(url)).toHaveLength(0);
    });
  });

  describe('errors', () => {
    it('answers QueueDoesNotExist in the JSON protocol shape for an unknown queue', async () => {
      // Act
      const send = client.send(
        new SendMessageCommand({ QueueUrl: `${sqs.endpoint}/123456789012/missing`, MessageBody: 'x' }),
      );
      const lookup = client.send(new GetQueueUrlCommand({ QueueName: 'missing' }));

      // Assess
      await expect(send).rejects.toBeInstanceOf(QueueDoesNotExist);
      await expect(lookup).rejects.toMatchObject({ name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } });
    });

    it('rejects bad parameters with InvalidParameterValue', async () => {
      // Prepare
      const url = await createQueue('orders', { MaximumMessageSize: '1024' });

      // Act
      const outcomes = await Promise.allSettled([
        client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
        client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1025) })),
        client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })),
        client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' })),
      ]);

      // Assess
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason as SQSServiceException;
        expect(error).toBeInstanceOf(SQSServiceException);
        expect(error.name).toBe('InvalidParameterValue');
        expect(error.$metadata.httpStatusCode).toBe(400);
      }
    });

    it('rejects a message body with characters SQS does not allow', async () => {
      // Prepare
      const url = await createQueue('orders');

      // Act
      const send = client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad\u0001char' }));

      // Assess
      await expect(send).rejects.toMatchObject({ name: 'InvalidMessageContents' });
    });

    it('rejects a receipt handle it did not issue', async () => {
      // Prepare
      const url = await createQueue('orders');

      // Act
      const remove = client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' }));

      // Assess
      await expect(remove).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
    });

    it('answers a non-JSON-protocol request with a clear error', async () => {
      // Act
      const response = await fetch(sqs.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=ListQueues&Version=2012-11-05',
      });

      // Assess
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        __type: 'com.amazonaws.sqs#UnsupportedOperation',
        message: expect.stringContaining('AWS JSON 1.0 protocol only'),
      });
    });
  });

  describe('FIFO queues', () => {
    it('delivers each group in order, one batch in flight per group, and drops duplicates', async () => {
      // Prepare
      const url = await createQueue('orders.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
      for (const [group, body] of [
        ['A', 'a1'],
        ['B', 'b1'],
        ['A', 'a2'],
        ['A', 'a1'],
      ]) {
        await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group }));
      }

      // Act
      const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
      const second = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      const blocked = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));

      // Assess
      expect(first.Messages?.map((m) => m.Body)).toEqual(['a1']);
      expect(second.Messages?.map((m) => m.Body)).toEqual(['b1']);
      expect(blocked.Messages).toBeUndefined();
      expect(sqs.messages(url).map((m) => m.body)).toEqual(['a1', 'b1', 'a2']);
    });

    it('requires a MessageGroupId on a FIFO queue', async () => {
      // Prepare
      const url = await createQueue('orders.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });

      // Act
      const send = client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));

      // Assess
      await expect(send).rejects.toMatchObject({ name: 'MissingParameter' });
    });
  });
});
