import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQS_MAX_BATCH_BYTES, SQS_MAX_BATCH_ENTRIES } from '@blueprints/common';
import { maxJsonBodyBytes, readLimitedBody } from '@blueprints/local-runtime';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import {
  batchEntryIdsNotDistinct,
  batchRequestTooLong,
  emptyBatchRequest,
  invalidAttributeValue,
  invalidBatchEntryId,
  invalidParameterValue,
  missingParameter,
  queueDoesNotExist,
  queueNameExists,
  requestEntityTooLarge,
  SqsError,
  serializationError,
  tooManyEntriesInBatchRequest,
  unknownOperation,
  unsupportedOperation,
} from './errors.js';
import {
  LocalQueue,
  parseRedrivePolicy,
  QUEUE_ATTRIBUTE_NAMES,
  type QueueMessage,
  type SendResult,
  validateQueueAttributes,
} from './LocalQueue.js';
import {
  md5OfMessageAttributes,
  type SqsMessageAttributes,
  selectMessageAttributes,
  validateMessageAttributes,
} from './messageAttributes.js';

export interface LocalSqsOptions {
  /** 0 (the default) picks a free port. The server listens on 127.0.0.1 only. */
  port?: number;
  region?: string;
  accountId?: string;
  /** Longest long poll the server grants, in seconds (SQS allows 20). */
  maxWaitTimeSeconds?: number;
}

export interface SendMessageOptions {
  messageGroupId?: string;
  messageDeduplicationId?: string;
  delaySeconds?: number;
  messageAttributes?: SqsMessageAttributes;
}

export interface ReceiveMessagesOptions {
  /** Up to 10 over HTTP; in process up to 10,000 (what a Lambda event source mapping may take). */
  maxNumberOfMessages?: number;
  visibilityTimeout?: number;
  waitTimeSeconds?: number;
}

/** A queue the local server created from a template. */
export interface LocalQueueInfo {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
}

export type SqsMessageListener = (event: { queue: string; message: QueueMessage }) => void;

/** Every system attribute name ReceiveMessage can return. */
const SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
];
/**
 * The largest request body read: the JSON of a batch at `SQS_MAX_BATCH_BYTES` with every byte escaped,
 * plus room for names. Larger bodies get a 413 while they are still arriving; smaller ones are parsed and
 * held to the exact AWS limits (message size, batch size).
 */
export const SQS_MAX_BODY_BYTES = maxJsonBodyBytes(SQS_MAX_BATCH_BYTES);
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The queue name in a queue URL (any host), a queue ARN or a plain name. */
export function queueNameOf(queueUrlOrArnOrName: string): string {
  if (queueUrlOrArnOrName.includes('://')) {
    try {
      const segments = new URL(queueUrlOrArnOrName).pathname.split('/').filter(Boolean);
      return decodeURIComponent(segments[segments.length - 1] ?? '');
    } catch {
      return queueUrlOrArnOrName;
    }
  }
  if (queueUrlOrArnOrName.startsWith('arn:'))
    return queueUrlOrArnOrName.slice(queueUrlOrArnOrName.lastIndexOf(':') + 1);
  return queueUrlOrArnOrName;
}

/** The system attributes of a message as ReceiveMessage (and Lambda's SQS event) report them. */
export function systemAttributesOf(m: QueueMessage): Record<string, string> {
  const out: Record<string, string> = {
    SenderId: m.senderId,
    SentTimestamp: String(m.sentTimestamp),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
  };
  if (m.sequenceNumber) out.SequenceNumber = m.sequenceNumber;
  if (m.messageDeduplicationId) out.MessageDeduplicationId = m.messageDeduplicationId;
  if (m.messageGroupId !== undefined) out.MessageGroupId = m.messageGroupId;
  const trace = m.systemAttributes.AWSTraceHeader?.StringValue;
  if (trace) out.AWSTraceHeader = trace;
  if (m.deadLetterQueueSourceArn) out.DeadLetterQueueSourceArn = m.deadLetterQueueSourceArn;
  return out;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw serializationError(`${name} must be a list of strings`);
  }
  return value as string[];
}

/** An optional map member (Attributes, tags, Tags); another type is a `SerializationException`. */
function optionalMap(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw serializationError(`${name} must be a map`);
  return value as Record<string, unknown>;
}

/** A map of string values (tags); another shape is a `SerializationException`. */
function stringMap(value: unknown, name: string): Record<string, string> {
  const map = optionalMap(value, name);
  if (Object.values(map).some((v) => typeof v !== 'string')) {
    throw serializationError(`${name} must be a map of strings`);
  }
  return map as Record<string, string>;
}

/** An optional string member; another type is a `SerializationException`. */
function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw serializationError(`${name} must be a string`);
  return value;
}

function optionalInteger(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalidParameterValue(
      `Value ${String(value)} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`,
    );
  }
  return n;
}

type Body = Record<string, unknown>;
type Operation = (body: Body, request: { senderId: string }) => Promise<Body> | Body;

/**
 * A local Amazon SQS for the current `@aws-sdk/client-sqs` (AWS JSON 1.0 protocol,
 * `X-Amz-Target: AmazonSQS.<Operation>`), with standard queues that keep `MessageGroupId`
 * (fair queues), FIFO queues, visibility timeouts, long polling, delays and redrive to a DLQ.
 * A queue URL is accepted whatever its host and a queue ARN by its name, so the URLs and ARNs a
 * template computes for AWS work unchanged.
 *
 * @example
 * const sqs = await LocalSqs.start();
 * const client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
 * const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'jobs' }));
 * await sqs.sendMessage('arn:aws:sqs:us-east-1:000000000000:jobs', '{"x":1}', { messageGroupId: 'tenant-a' });
 * await sqs.close();
 */
export class LocalSqs {
  readonly region: string;
  readonly accountId: string;
  private readonly queues = new Map<string, LocalQueue>();
  private readonly listeners = new Set<SqsMessageListener>();
  private readonly operations: Record<string, Operation>;
  private readonly maxWaitTimeSeconds: number;
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    options: LocalSqsOptions,
  ) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.maxWaitTimeSeconds = Math.min(20, Math.max(0, options.maxWaitTimeSeconds ?? 20));
    this.operations = {
      CreateQueue: (b) => this.opCreateQueue(b),
      GetQueueUrl: (b) => {
        if (typeof b.QueueName !== 'string') throw missingParameter('QueueName');
        return { QueueUrl: this.getQueue(b.QueueName).url };
      },
      ListQueues: (b) => this.opListQueues(b),
      DeleteQueue: (b) => {
        this.queues.delete(this.queueFromBody(b).name);
        return {};
      },
      GetQueueAttributes: (b) => this.opGetQueueAttributes(b),
      SetQueueAttributes: (b) => {
        const queue = this.queueFromBody(b);
        const attributes = validateQueueAttributes(optionalMap(b.Attributes, 'Attributes'), queue.fifo, 'set');
        if (attributes.RedrivePolicy) this.checkDeadLetterTarget(queue.fifo, attributes.RedrivePolicy);
        queue.setAttributes(attributes);
        return {};
      },
      PurgeQueue: (b) => {
        this.queueFromBody(b).purge();
        return {};
      },
      SendMessage: (b, r) => this.opSendMessage(b, r.senderId),
      SendMessageBatch: (b, r) => this.opSendMessageBatch(b, r.senderId),
      ReceiveMessage: (b) => this.opReceiveMessage(b),
      DeleteMessage: (b) => {
        this.queueFromBody(b).delete(b.ReceiptHandle);
        return {};
      },
      DeleteMessageBatch: (b) =>
        this.batch(b, 'DeleteMessageBatchRequestEntry', (queue, entry) => queue.delete(entry.ReceiptHandle)),
      ChangeMessageVisibility: (b) => {
        this.queueFromBody(b).changeVisibility(b.ReceiptHandle, b.VisibilityTimeout);
        return {};
      },
      ChangeMessageVisibilityBatch: (b) =>
        this.batch(b, 'ChangeMessageVisibilityBatchRequestEntry', (queue, entry) =>
          queue.changeVisibility(entry.ReceiptHandle, entry.VisibilityTimeout),
        ),
      ListDeadLetterSourceQueues: (b) => {
        const target = this.queueFromBody(b);
        const sources = [...this.queues.values()].filter((q) => {
          const raw = q.attributes.RedrivePolicy;
          return raw !== undefined && queueNameOf(parseRedrivePolicy(raw).deadLetterTargetArn) === target.name;
        });
        return { queueUrls: sources.map((q) => q.url) };
      },
      TagQueue: (b) => {
        const queue = this.queueFromBody(b);
        queue.tags = { ...queue.tags, ...stringMap(b.Tags, 'Tags') };
        return {};
      },
      UntagQueue: (b) => {
        const queue = this.queueFromBody(b);
        for (const key of stringList(b.TagKeys, 'TagKeys')) delete queue.tags[key];
        return {};
      },
      ListQueueTags: (b) => {
        const tags = this.queueFromBody(b).tags;
        return Object.keys(tags).length > 0 ? { Tags: tags } : {};
      },
    };
  }

  /** Starts the server on 127.0.0.1. */
  static async start(options: LocalSqsOptions = {}): Promise<LocalSqs> {
    let instance: LocalSqs | undefined;
    const server = createServer((req, res) => {
      void instance?.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    instance = new LocalSqs(server, `http://127.0.0.1:${port}`, options);
    return instance;
  }

  /** Stops the server, ending long polls and open connections. */
  async close(): Promise<void> {
    this.closed = true;
    for (const queue of this.queues.values()) queue.notify();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  queueUrl(name: string): string {
    return `${this.endpoint}/${this.accountId}/${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  /** The queue a URL (any host), ARN or name refers to, if it exists. */
  findQueue(queueUrlOrArnOrName: string): LocalQueue | undefined {
    return this.queues.get(queueNameOf(queueUrlOrArnOrName));
  }

  /** The queue a URL (any host), ARN or name refers to; throws `QueueDoesNotExist` otherwise. */
  getQueue(queueUrlOrArnOrName: string): LocalQueue {
    const queue = this.findQueue(queueUrlOrArnOrName);
    if (!queue) throw queueDoesNotExist(queueUrlOrArnOrName);
    return queue;
  }

  listQueues(): LocalQueue[] {
    return [...this.queues.values()];
  }

  /**
   * Creates a queue (idempotent when the attributes match, like CreateQueue). A name ending in
   * `.fifo` makes a FIFO queue. The dead-letter queue of a RedrivePolicy must exist already.
   */
  createQueue(name: string, attributes: Record<string, unknown> = {}, tags: Record<string, string> = {}): LocalQueue {
    const fifo = name.endsWith('.fifo');
    if (!(fifo ? FIFO_QUEUE_NAME : QUEUE_NAME).test(name)) {
      throw invalidParameterValue(
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (a FIFO queue name ends in .fifo).',
      );
    }
    if (fifo && attributes.FifoQueue === undefined) {
      throw invalidParameterValue(
        `The queue name ${name} ends in .fifo: a FIFO queue needs the attribute FifoQueue=true.`,
      );
    }
    const validated = validateQueueAttributes(attributes, fifo);
    if (validated.RedrivePolicy) this.checkDeadLetterTarget(fifo, validated.RedrivePolicy);
    const existing = this.queues.get(name);
    if (existing) {
      const current = existing.allAttributes();
      if (Object.entries(validated).some(([k, v]) => current[k] !== v)) throw queueNameExists(name);
      return existing;
    }
    const queue = new LocalQueue(name, this.queueUrl(name), this.queueArn(name), validated);
    queue.tags = { ...tags };
    this.queues.set(name, queue);
    return queue;
  }

  /**
   * Sends a message in process (what an EventBridge rule, an IoT rule or a pipe target does).
   * The queue may be given by URL (any host), ARN or name.
   */
  async sendMessage(queueUrlOrArn: string, body: string, options: SendMessageOptions = {}): Promise<SendResult> {
    const queue = this.getQueue(queueUrlOrArn);
    const result = queue.send({
      body,
      messageGroupId: options.messageGroupId,
      messageDeduplicationId: options.messageDeduplicationId,
      delaySeconds: options.delaySeconds,
      messageAttributes: options.messageAttributes,
      senderId: this.accountId,
    });
    this.emitSent(queue, result.messageId);
    return result;
  }

  /** Receives in process, with the same visibility, redrive and long-poll rules as ReceiveMessage. */
  async receiveMessages(queueUrlOrArn: string, options: ReceiveMessagesOptions = {}): Promise<QueueMessage[]> {
    const queue = this.getQueue(queueUrlOrArn);
    const max = optionalInteger(options.maxNumberOfMessages, 'MaxNumberOfMessages', 1, 10_000) ?? 1;
    return this.receiveWaiting(queue, max, options.visibilityTimeout, options.waitTimeSeconds ?? 0);
  }

  deleteMessage(queueUrlOrArn: string, receiptHandle: string): void {
    this.getQueue(queueUrlOrArn).delete(receiptHandle);
  }

  changeMessageVisibility(queueUrlOrArn: string, receiptHandle: string, visibilityTimeout: number): void {
    this.getQueue(queueUrlOrArn).changeVisibility(receiptHandle, visibilityTimeout);
  }

  /** Every message a queue holds right now (visible, in flight and delayed). */
  messages(queueUrlOrArn: string): QueueMessage[] {
    return this.getQueue(queueUrlOrArn).snapshot();
  }

  counts(queueUrlOrArn: string): { visible: number; inFlight: number; delayed: number } {
    return this.getQueue(queueUrlOrArn).counts();
  }

  /** Observes every message a queue accepts (in process or over HTTP). Returns an unsubscribe function. */
  onMessage(listener: SqsMessageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Creates every `AWS::SQS::Queue` of a packaged template (QueueName or a generated name,
   * VisibilityTimeout, DelaySeconds, MessageRetentionPeriod, MaximumMessageSize,
   * ReceiveMessageWaitTimeSeconds, RedrivePolicy, FIFO settings, Tags), dead-letter queues first.
   * It then points the resolver's `Ref`/`QueueUrl` of each queue at its local URL, so functions
   * resolved AFTER this call (`functionsFromTemplate`) get URLs that reach this server.
   *
   * @example
   * const queues = await sqs.createQueuesFromTemplate(resolver);
   * const lambda = new LocalLambda(functionsFromTemplate(resolver), loader);
   */
  async createQueuesFromTemplate(resolver: TemplateResolver): Promise<LocalQueueInfo[]> {
    const declared = resourcesOfType(resolver.template, 'AWS::SQS::Queue', resolver.stack);
    // Names first: a generated FIFO name needs the .fifo suffix, and other queues' RedrivePolicy may point at it.
    for (const [logicalId, resource] of declared) {
      const props = resource.Properties ?? {};
      const fifo = String(resolver.resolve(props.FifoQueue ?? false, `${logicalId}.FifoQueue`)) === 'true';
      if (fifo && props.QueueName === undefined) {
        const name = `${resolver.stack.stackName}-${logicalId}`.slice(0, 75).replace(/[^A-Za-z0-9_-]/g, '-');
        resolver.overrides.set(`${logicalId}.QueueName`, `${name}.fifo`);
        resolver.overrides.set(`${logicalId}.Arn`, this.queueArn(`${name}.fifo`));
      }
    }
    const pending = declared.map(([logicalId, resource]) => {
      const props = resolver.resolve(resource.Properties ?? {}, logicalId) as Record<string, unknown>;
      const name = String(resolver.overrides.get(`${logicalId}.QueueName`) ?? resolver.physicalName(logicalId));
      const attributes: Record<string, unknown> = {};
      for (const key of [
        'VisibilityTimeout',
        'DelaySeconds',
        'MessageRetentionPeriod',
        'MaximumMessageSize',
        'ReceiveMessageWaitTimeSeconds',
        'FifoQueue',
        'ContentBasedDeduplication',
        'DeduplicationScope',
        'FifoThroughputLimit',
      ]) {
        if (props[key] !== undefined) attributes[key] = String(props[key]);
      }
      if (attributes.FifoQueue === 'false') delete attributes.FifoQueue;
      if (props.RedrivePolicy !== undefined) {
        const policy = parseRedrivePolicy(props.RedrivePolicy);
        attributes.RedrivePolicy = JSON.stringify(policy);
      }
      const tags = Object.fromEntries(
        ((props.Tags ?? []) as Array<{ Key: string; Value: string }>).map((t) => [t.Key, String(t.Value)]),
      );
      return { logicalId, name, attributes, tags };
    });
    const created: LocalQueueInfo[] = [];
    while (pending.length > 0) {
      const ready = pending.findIndex((q) => {
        const redrive = q.attributes.RedrivePolicy as string | undefined;
        if (!redrive) return true;
        const target = queueNameOf(parseRedrivePolicy(redrive).deadLetterTargetArn);
        return this.queues.has(target) || !pending.some((p) => p.name === target);
      });
      const [next] = pending.splice(Math.max(ready, 0), 1);
      if (!next) break;
      const queue = this.createQueue(next.name, next.attributes, next.tags);
      resolver.overrides.set(`${next.logicalId}.Ref`, queue.url);
      resolver.overrides.set(`${next.logicalId}.QueueUrl`, queue.url);
      created.push({ logicalId: next.logicalId, name: queue.name, url: queue.url, arn: queue.arn });
    }
    return created;
  }

  private checkDeadLetterTarget(fifo: boolean, redrivePolicy: string): void {
    const target = parseRedrivePolicy(redrivePolicy).deadLetterTargetArn;
    const dlq = this.findQueue(target);
    if (!dlq) {
      throw invalidAttributeValue(
        `Value ${redrivePolicy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
      );
    }
    if (dlq.fifo !== fifo) {
      throw invalidAttributeValue(
        `Value ${redrivePolicy} for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be the same type (standard or FIFO) as the source queue.`,
      );
    }
  }

  private emitSent(queue: LocalQueue, messageId: string): void {
    if (this.listeners.size === 0) return;
    const message = queue.snapshot().find((m) => m.messageId === messageId);
    if (!message) return;
    for (const listener of this.listeners) {
      try {
        listener({ queue: queue.name, message });
      } catch {
        // An observer never breaks a send.
      }
    }
  }

  private async receiveWaiting(
    queue: LocalQueue,
    max: number,
    visibilityTimeout: number | undefined,
    waitTimeSeconds: number,
  ): Promise<QueueMessage[]> {
    const deadline = Date.now() + Math.min(waitTimeSeconds, this.maxWaitTimeSeconds) * 1000;
    const deadLetterQueue = (arn: string) => this.findQueue(arn);
    for (;;) {
      const messages = queue.receive({ maxNumberOfMessages: max, visibilityTimeout, deadLetterQueue });
      const now = Date.now();
      if (messages.length > 0 || now >= deadline || this.closed || !this.queues.has(queue.name)) return messages;
      const nextVisible = queue.nextVisibleAt();
      await queue.changed(Math.min(deadline, nextVisible ?? deadline) - now);
    }
  }

  private queueFromBody(body: Body): LocalQueue {
    if (typeof body.QueueUrl !== 'string' || body.QueueUrl === '') throw missingParameter('QueueUrl');
    return this.getQueue(body.QueueUrl);
  }

  private opCreateQueue(b: Body): Body {
    if (typeof b.QueueName !== 'string') throw missingParameter('QueueName');
    const queue = this.createQueue(b.QueueName, optionalMap(b.Attributes, 'Attributes'), stringMap(b.tags, 'tags'));
    return { QueueUrl: queue.url };
  }

  private opListQueues(b: Body): Body {
    const prefix = optionalString(b.QueueNamePrefix, 'QueueNamePrefix') ?? '';
    const max = optionalInteger(b.MaxResults, 'MaxResults', 1, 1000);
    const names = [...this.queues.keys()].filter((n) => n.startsWith(prefix)).sort();
    const token = optionalString(b.NextToken, 'NextToken');
    const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64').toString()) || 0;
    const page = max === undefined ? names.slice(start) : names.slice(start, start + max);
    const out: Body = {};
    if (page.length > 0) out.QueueUrls = page.map((n) => this.queueUrl(n));
    if (max !== undefined && start + max < names.length) {
      out.NextToken = Buffer.from(String(start + max)).toString('base64');
    }
    return out;
  }

  private opGetQueueAttributes(b: Body): Body {
    const queue = this.queueFromBody(b);
    const names = stringList(b.AttributeNames, 'AttributeNames');
    for (const name of names) {
      if (name !== 'All' && !QUEUE_ATTRIBUTE_NAMES.has(name)) {
        throw new SqsError(
          'com.amazonaws.sqs#InvalidAttributeName',
          'InvalidAttributeName',
          `Unknown Attribute ${name}.`,
        );
      }
    }
    if (names.length === 0) return {};
    const all = queue.allAttributes();
    const selected = names.includes('All')
      ? all
      : Object.fromEntries(Object.entries(all).filter(([k]) => names.includes(k)));
    return Object.keys(selected).length > 0 ? { Attributes: selected } : {};
  }

  private opSendMessage(b: Body, senderId: string): Body {
    const queue = this.queueFromBody(b);
    const result = queue.send({
      body: b.MessageBody,
      messageAttributes: b.MessageAttributes,
      messageSystemAttributes: b.MessageSystemAttributes,
      messageGroupId: b.MessageGroupId,
      messageDeduplicationId: b.MessageDeduplicationId,
      delaySeconds: b.DelaySeconds,
      senderId,
    });
    this.emitSent(queue, result.messageId);
    return this.sendResultToWire(result);
  }

  private opSendMessageBatch(b: Body, senderId: string): Body {
    const queue = this.queueFromBody(b);
    const entries = this.batchEntries(b, 'SendMessageBatchRequestEntry');
    let total = 0;
    for (const entry of entries) {
      if (typeof entry.MessageBody === 'string') total += Buffer.byteLength(entry.MessageBody);
      try {
        total += validateMessageAttributes(entry.MessageAttributes);
      } catch {
        // reported per entry below
      }
    }
    if (total > SQS_MAX_BATCH_BYTES) throw batchRequestTooLong(total, SQS_MAX_BATCH_BYTES);
    const Successful: Body[] = [];
    const Failed: Body[] = [];
    for (const entry of entries) {
      try {
        const result = queue.send({
          body: entry.MessageBody,
          messageAttributes: entry.MessageAttributes,
          messageSystemAttributes: entry.MessageSystemAttributes,
          messageGroupId: entry.MessageGroupId,
          messageDeduplicationId: entry.MessageDeduplicationId,
          delaySeconds: entry.DelaySeconds,
          senderId,
        });
        this.emitSent(queue, result.messageId);
        Successful.push({ Id: entry.Id, ...this.sendResultToWire(result) });
      } catch (error) {
        Failed.push(this.batchFailure(entry.Id as string, error));
      }
    }
    return { Successful, Failed };
  }

  private async opReceiveMessage(b: Body): Promise<Body> {
    const queue = this.queueFromBody(b);
    const max = optionalInteger(b.MaxNumberOfMessages, 'MaxNumberOfMessages', 1, 10) ?? 1;
    const visibilityTimeout = optionalInteger(b.VisibilityTimeout, 'VisibilityTimeout', 0, 43_200);
    const wait =
      optionalInteger(b.WaitTimeSeconds, 'WaitTimeSeconds', 0, 20) ??
      queue.numberAttribute('ReceiveMessageWaitTimeSeconds');
    const systemNames = [
      ...stringList(b.MessageSystemAttributeNames, 'MessageSystemAttributeNames'),
      ...stringList(b.AttributeNames, 'AttributeNames'),
    ];
    const attributeNames = stringList(b.MessageAttributeNames, 'MessageAttributeNames');
    const messages = await this.receiveWaiting(queue, max, visibilityTimeout, wait);
    return messages.length > 0
      ? { Messages: messages.map((m) => this.messageToWire(m, systemNames, attributeNames)) }
      : {};
  }

  private messageToWire(m: QueueMessage, systemNames: string[], attributeNames: string[]): Body {
    const out: Body = {
      MessageId: m.messageId,
      ReceiptHandle: m.receiptHandle,
      MD5OfBody: m.md5OfBody,
      Body: m.body,
    };
    const all = systemAttributesOf(m);
    const wantAll = systemNames.includes('All');
    const system = Object.fromEntries(
      Object.entries(all).filter(([k]) => wantAll || (systemNames.includes(k) && SYSTEM_ATTRIBUTE_NAMES.includes(k))),
    );
    if (Object.keys(system).length > 0) out.Attributes = system;
    const attributes = selectMessageAttributes(m.messageAttributes, attributeNames);
    const md5 = md5OfMessageAttributes(attributes);
    if (md5) {
      out.MessageAttributes = attributes;
      out.MD5OfMessageAttributes = md5;
    }
    return out;
  }

  private sendResultToWire(result: SendResult): Body {
    const out: Body = { MessageId: result.messageId, MD5OfMessageBody: result.md5OfBody };
    if (result.md5OfMessageAttributes) out.MD5OfMessageAttributes = result.md5OfMessageAttributes;
    if (result.md5OfMessageSystemAttributes) out.MD5OfMessageSystemAttributes = result.md5OfMessageSystemAttributes;
    if (result.sequenceNumber) out.SequenceNumber = result.sequenceNumber;
    return out;
  }

  private batchEntries(b: Body, entryName: string): Body[] {
    if (b.Entries === undefined || b.Entries === null) throw missingParameter('Entries');
    if (!Array.isArray(b.Entries)) throw serializationError('Entries must be a list');
    const entries = b.Entries as Body[];
    if (entries.length === 0) throw emptyBatchRequest(entryName);
    if (entries.length > SQS_MAX_BATCH_ENTRIES) throw tooManyEntriesInBatchRequest(entries.length);
    const seen = new Set<string>();
    for (const entry of entries) {
      if (typeof entry?.Id !== 'string' || !BATCH_ENTRY_ID.test(entry.Id)) throw invalidBatchEntryId();
      if (seen.has(entry.Id)) throw batchEntryIdsNotDistinct(entry.Id);
      seen.add(entry.Id);
    }
    return entries;
  }

  private batch(b: Body, entryName: string, apply: (queue: LocalQueue, entry: Body) => void): Body {
    const queue = this.queueFromBody(b);
    const entries = this.batchEntries(b, entryName);
    const Successful: Body[] = [];
    const Failed: Body[] = [];
    for (const entry of entries) {
      try {
        apply(queue, entry);
        Successful.push({ Id: entry.Id });
      } catch (error) {
        Failed.push(this.batchFailure(entry.Id as string, error));
      }
    }
    return { Successful, Failed };
  }

  private batchFailure(id: string, error: unknown): Body {
    if (error instanceof SqsError) {
      return { Id: id, SenderFault: error.senderFault, Code: error.queryCode, Message: error.message };
    }
    return { Id: id, SenderFault: false, Code: 'InternalError', Message: String(error) };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const reply = (status: number, body: Body, headers: Record<string, string> = {}) => {
      if (res.writableEnded || res.destroyed) return;
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': String(Buffer.byteLength(text)),
        'x-amzn-requestid': requestId,
        ...headers,
      });
      res.end(text);
    };
    try {
      const read = await readLimitedBody(req, SQS_MAX_BODY_BYTES);
      if (read.tooLarge) throw requestEntityTooLarge(SQS_MAX_BODY_BYTES);
      const target = req.headers['x-amz-target'];
      const contentType = String(req.headers['content-type'] ?? '');
      if (req.method !== 'POST' || typeof target !== 'string' || !contentType.includes('json')) {
        throw unsupportedOperation(
          'This local SQS speaks the AWS JSON 1.0 protocol only (POST, X-Amz-Target: AmazonSQS.<Operation>, application/x-amz-json-1.0), as the current @aws-sdk/client-sqs does.',
        );
      }
      const [service, name] = target.split('.');
      const operation = service === 'AmazonSQS' && name ? this.operations[name] : undefined;
      if (!operation) throw unknownOperation(target);
      let body: Body;
      try {
        const text = read.body.toString('utf8');
        body = (text.trim() === '' ? {} : JSON.parse(text)) as Body;
      } catch {
        throw serializationError('The request body is not valid JSON.');
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw serializationError('The request body must be a JSON object.');
      }
      const credential = /Credential=([^/,\s]+)/.exec(String(req.headers.authorization ?? ''))?.[1];
      reply(200, await operation(body, { senderId: credential ?? this.accountId }));
    } catch (error) {
      if (error instanceof SqsError) {
        reply(error.statusCode, error.toJSON(), {
          'x-amzn-query-error': `${error.queryCode};${error.senderFault ? 'Sender' : 'Receiver'}`,
          ...(error.statusCode === 413 ? { connection: 'close' } : {}),
        });
      } else {
        // A bug here, not the caller's fault: answer like AWS would, without leaking JavaScript internals.
        reply(500, {
          __type: 'com.amazonaws.sqs#InternalError',
          message: 'The local SQS failed to process the request.',
        });
      }
    }
  }
}
