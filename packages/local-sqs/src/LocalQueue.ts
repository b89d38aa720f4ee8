import { createHash, randomUUID } from 'node:crypto';
import { SQS_MAX_MESSAGE_BYTES, SQS_MIN_MAXIMUM_MESSAGE_SIZE } from '@blueprints/common';
import {
  invalidAttributeName,
  invalidAttributeValue,
  invalidMessageContents,
  invalidParameterValue,
  messageNotInflight,
  missingParameter,
  receiptHandleIsInvalid,
} from './errors.js';
import {
  md5Hex,
  md5OfMessageAttributes,
  normaliseMessageAttributes,
  type SqsMessageAttributes,
  validateMessageAttributes,
} from './messageAttributes.js';

/** One message as the local queue stores it. */
export interface QueueMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: SqsMessageAttributes;
  md5OfMessageAttributes?: string;
  /** `AWSTraceHeader`, the only message system attribute a sender may set. */
  systemAttributes: SqsMessageAttributes;
  sentTimestamp: number;
  senderId: string;
  /** The tenant of a fair (standard) queue, or the ordering group of a FIFO queue. */
  messageGroupId?: string;
  messageDeduplicationId?: string;
  sequenceNumber?: string;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** Epoch ms from which the message may be received (delay or visibility timeout). */
  visibleAt: number;
  /** The receipt handle of the latest receive; older handles no longer delete the message. */
  receiptHandle?: string;
  deadLetterQueueSourceArn?: string;
}

export interface SendInput {
  body: unknown;
  messageAttributes?: unknown;
  messageSystemAttributes?: unknown;
  messageGroupId?: unknown;
  messageDeduplicationId?: unknown;
  delaySeconds?: unknown;
  senderId: string;
}

export interface SendResult {
  messageId: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
  sequenceNumber?: string;
}

export interface ReceiveOptions {
  maxNumberOfMessages: number;
  visibilityTimeout?: number;
  /** Where a message goes once it has been received `maxReceiveCount` times. */
  deadLetterQueue?: (arn: string) => LocalQueue | undefined;
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** Attribute name → [min, max] for the numeric queue attributes, and their defaults. */
const NUMERIC_ATTRIBUTES: Record<string, [min: number, max: number, fallback: number]> = {
  DelaySeconds: [0, 900, 0],
  MaximumMessageSize: [SQS_MIN_MAXIMUM_MESSAGE_SIZE, SQS_MAX_MESSAGE_BYTES, SQS_MAX_MESSAGE_BYTES],
  MessageRetentionPeriod: [60, 1_209_600, 345_600],
  ReceiveMessageWaitTimeSeconds: [0, 20, 0],
  VisibilityTimeout: [0, 43_200, 30],
  KmsDataKeyReusePeriodSeconds: [60, 86_400, 300],
};
const OTHER_SETTABLE = new Set([
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'Policy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'KmsMasterKeyId',
  'SqsManagedSseEnabled',
]);
const FIFO_ONLY = ['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'];
const READ_ONLY = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
];
/** Every name GetQueueAttributes accepts. */
export const QUEUE_ATTRIBUTE_NAMES = new Set([...Object.keys(NUMERIC_ATTRIBUTES), ...OTHER_SETTABLE, ...READ_ONLY]);

const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
const GROUP_ID = /^[\x21-\x7e]{1,128}$/;
/** SQS accepts #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF in a body. */
function hasInvalidBodyCharacter(body: string): boolean {
  for (const ch of body) {
    const c = ch.codePointAt(0) as number;
    const valid =
      c === 0x9 ||
      c === 0xa ||
      c === 0xd ||
      (c >= 0x20 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      (c >= 0x10000 && c <= 0x10ffff);
    if (!valid) return true;
  }
  return false;
}

/** Validates CreateQueue/SetQueueAttributes attributes and returns them as strings. */
export function validateQueueAttributes(
  attributes: Record<string, unknown>,
  fifo: boolean,
  mode: 'create' | 'set' = 'create',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(attributes)) {
    if (raw === undefined || raw === null) continue;
    const value = String(raw);
    const range = NUMERIC_ATTRIBUTES[name];
    if (range) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < range[0] || n > range[1]) {
        throw invalidAttributeValue(
          `Invalid value for the parameter ${name}: ${value} (valid values: ${range[0]} to ${range[1]}).`,
        );
      }
      out[name] = String(n);
      continue;
    }
    if (!OTHER_SETTABLE.has(name)) throw invalidAttributeName(name);
    if (name === 'FifoQueue') {
      if (mode === 'set') throw invalidAttributeName(name);
      if (value !== String(fifo)) {
        throw invalidAttributeValue(
          fifo
            ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix.'
            : 'Invalid value for the parameter FifoQueue: a queue whose name ends in .fifo must be a FIFO queue and the other way round.',
        );
      }
    }
    if (FIFO_ONLY.includes(name) && !fifo) {
      throw invalidAttributeName(`${name} (only FIFO queues accept it)`);
    }
    if (name === 'RedrivePolicy') parseRedrivePolicy(value);
    out[name] = value;
  }
  return out;
}

/** Parses and checks a RedrivePolicy attribute (JSON text or object). */
export function parseRedrivePolicy(value: unknown): RedrivePolicy {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalidAttributeValue('Invalid value for the parameter RedrivePolicy. Reason: not a valid JSON map.');
    }
  }
  const p = parsed as Partial<Record<'deadLetterTargetArn' | 'maxReceiveCount', unknown>> | null;
  if (!p || typeof p !== 'object' || typeof p.deadLetterTargetArn !== 'string') {
    throw invalidAttributeValue(
      'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.',
    );
  }
  const max = Number(p.maxReceiveCount);
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw invalidAttributeValue(
      `Value for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${String(p.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
    );
  }
  if (!/^arn:[^:]+:sqs:[^:]*:[^:]*:[^:]+$/.test(p.deadLetterTargetArn)) {
    throw invalidAttributeValue(
      'Value for parameter RedrivePolicy is invalid. Reason: Dead-letter target ARN should be fully qualified ARN.',
    );
  }
  return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: max };
}

function receiptHandleFor(queueName: string, messageId: string): string {
  return Buffer.from(JSON.stringify([queueName, messageId, randomUUID()])).toString('base64url');
}

function parseReceiptHandle(handle: unknown): [queueName: string, messageId: string] {
  if (typeof handle !== 'string' || handle === '') throw missingParameter('ReceiptHandle');
  try {
    const parsed = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 3 && parsed.every((p) => typeof p === 'string')) {
      return [parsed[0] as string, parsed[1] as string];
    }
  } catch {
    // fall through
  }
  throw receiptHandleIsInvalid(handle);
}

/**
 * One queue: standard (with fair-queue ordering by MessageGroupId) or FIFO (ordering per group,
 * one group in flight at a time, 5-minute deduplication). Time comes from a clock so tests and the
 * visibility logic agree on "now".
 */
export class LocalQueue {
  readonly fifo: boolean;
  readonly createdTimestamp: number;
  lastModifiedTimestamp: number;
  attributes: Record<string, string>;
  tags: Record<string, string> = {};
  private messages: QueueMessage[] = [];
  private readonly deduplication = new Map<string, { result: SendResult; expiresAt: number }>();
  private sequence = 0n;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly url: string,
    readonly arn: string,
    attributes: Record<string, string>,
    private readonly clock: () => number = Date.now,
  ) {
    this.fifo = name.endsWith('.fifo');
    this.attributes = attributes;
    this.createdTimestamp = this.clock();
    this.lastModifiedTimestamp = this.createdTimestamp;
  }

  numberAttribute(name: keyof typeof NUMERIC_ATTRIBUTES): number {
    const value = this.attributes[name];
    return value === undefined ? (NUMERIC_ATTRIBUTES[name]?.[2] ?? 0) : Number(value);
  }

  get redrivePolicy(): RedrivePolicy | undefined {
    const raw = this.attributes.RedrivePolicy;
    return raw ? parseRedrivePolicy(raw) : undefined;
  }

  get contentBasedDeduplication(): boolean {
    return this.attributes.ContentBasedDeduplication === 'true';
  }

  /** Everything GetQueueAttributes reports, as strings. */
  allAttributes(): Record<string, string> {
    const now = this.clock();
    const counts = this.counts(now);
    const out: Record<string, string> = {
      QueueArn: this.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(this.createdTimestamp / 1000)),
      LastModifiedTimestamp: String(Math.floor(this.lastModifiedTimestamp / 1000)),
      SqsManagedSseEnabled: 'true',
    };
    for (const name of Object.keys(NUMERIC_ATTRIBUTES)) {
      if (name !== 'KmsDataKeyReusePeriodSeconds') out[name] = String(this.numberAttribute(name));
    }
    if (this.fifo) {
      out.FifoQueue = 'true';
      out.ContentBasedDeduplication = String(this.contentBasedDeduplication);
      out.DeduplicationScope = this.attributes.DeduplicationScope ?? 'queue';
      out.FifoThroughputLimit = this.attributes.FifoThroughputLimit ?? 'perQueue';
    }
    return { ...out, ...this.attributes };
  }

  setAttributes(attributes: Record<string, string>): void {
    this.attributes = { ...this.attributes, ...attributes };
    this.lastModifiedTimestamp = this.clock();
    this.notify();
  }

  /** Visible, in-flight and delayed message counts. */
  counts(now = this.clock()): { visible: number; inFlight: number; delayed: number } {
    this.expire(now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of this.messages) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  /** A copy of every stored message (for dashboards and tests). */
  snapshot(): QueueMessage[] {
    this.expire(this.clock());
    return this.messages.map((m) => ({ ...m }));
  }

  /** Checks a message the way SendMessage does and returns its size in bytes. */
  validate(input: SendInput): number {
    if (typeof input.body !== 'string' || input.body === '') throw missingParameter('MessageBody');
    if (hasInvalidBodyCharacter(input.body)) {
      throw invalidMessageContents(
        'Invalid binary character in the message body. Allowed: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.',
      );
    }
    const size = Buffer.byteLength(input.body) + validateMessageAttributes(input.messageAttributes);
    validateMessageAttributes(input.messageSystemAttributes, 'system');
    const limit = this.numberAttribute('MaximumMessageSize');
    if (size > limit) {
      throw invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`,
      );
    }
    const group = input.messageGroupId;
    if (group !== undefined && group !== null && (typeof group !== 'string' || !GROUP_ID.test(group))) {
      throw invalidParameterValue(
        `Value ${String(group)} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
      );
    }
    const dedup = input.messageDeduplicationId;
    if (this.fifo) {
      if (group === undefined || group === null) throw missingParameter('MessageGroupId');
      if (dedup !== undefined && dedup !== null && (typeof dedup !== 'string' || !GROUP_ID.test(dedup))) {
        throw invalidParameterValue(
          `Value ${String(dedup)} for parameter MessageDeduplicationId is invalid. Reason: 1 to 128 alphanumeric or punctuation characters.`,
        );
      }
      if ((dedup === undefined || dedup === null) && !this.contentBasedDeduplication) {
        throw invalidParameterValue(
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      }
      if (input.delaySeconds !== undefined && input.delaySeconds !== null && Number(input.delaySeconds) !== 0) {
        throw invalidParameterValue(
          `Value ${String(input.delaySeconds)} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
        );
      }
    } else if (dedup !== undefined && dedup !== null) {
      throw invalidParameterValue(
        'The request include parameter MessageDeduplicationId which is not valid for this queue type',
      );
    }
    if (input.delaySeconds !== undefined && input.delaySeconds !== null) {
      const d = Number(input.delaySeconds);
      if (!Number.isInteger(d) || d < 0 || d > 900) {
        throw invalidParameterValue(
          `Value ${String(input.delaySeconds)} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`,
        );
      }
    }
    return size;
  }

  /** Stores a message (after `validate`). A FIFO duplicate within 5 minutes returns the first result. */
  send(input: SendInput): SendResult {
    this.validate(input);
    const now = this.clock();
    this.expire(now);
    const body = input.body as string;
    const group = (input.messageGroupId ?? undefined) as string | undefined;
    let dedupKey: string | undefined;
    let dedupId: string | undefined;
    if (this.fifo) {
      dedupId =
        (input.messageDeduplicationId as string | undefined) ?? createHash('sha256').update(body, 'utf8').digest('hex');
      dedupKey = this.attributes.DeduplicationScope === 'messageGroup' ? `${group}\u0000${dedupId}` : dedupId;
      const earlier = this.deduplication.get(dedupKey);
      if (earlier && earlier.expiresAt > now) return earlier.result;
    }
    const messageAttributes = normaliseMessageAttributes(input.messageAttributes);
    const systemAttributes = normaliseMessageAttributes(input.messageSystemAttributes);
    const delay =
      input.delaySeconds !== undefined && input.delaySeconds !== null
        ? Number(input.delaySeconds)
        : this.numberAttribute('DelaySeconds');
    const message: QueueMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      messageAttributes,
      systemAttributes,
      sentTimestamp: now,
      senderId: input.senderId,
      receiveCount: 0,
      visibleAt: now + delay * 1000,
    };
    const md5OfAttributes = md5OfMessageAttributes(messageAttributes);
    if (md5OfAttributes) message.md5OfMessageAttributes = md5OfAttributes;
    if (group !== undefined) message.messageGroupId = group;
    if (this.fifo) {
      this.sequence += 1n;
      message.messageDeduplicationId = dedupId;
      message.sequenceNumber = (BigInt(now) * 1_000_000n + this.sequence).toString().padStart(20, '0');
    }
    this.messages.push(message);
    const result: SendResult = { messageId: message.messageId, md5OfBody: message.md5OfBody };
    if (message.md5OfMessageAttributes) result.md5OfMessageAttributes = message.md5OfMessageAttributes;
    const md5OfSystem = md5OfMessageAttributes(systemAttributes);
    if (md5OfSystem) result.md5OfMessageSystemAttributes = md5OfSystem;
    if (message.sequenceNumber) result.sequenceNumber = message.sequenceNumber;
    if (dedupKey) this.deduplication.set(dedupKey, { result, expiresAt: now + DEDUPLICATION_WINDOW_MS });
    this.notify();
    return result;
  }

  /** Moves a message in from another queue's redrive (same id, body and attributes). */
  acceptRedriven(message: QueueMessage, sourceArn: string): void {
    const now = this.clock();
    const moved: QueueMessage = { ...message, visibleAt: now, deadLetterQueueSourceArn: sourceArn };
    delete moved.receiptHandle;
    // FIFO queues reset the enqueue timestamp on the move; standard queues keep the original one.
    if (this.fifo) moved.sentTimestamp = now;
    this.messages.push(moved);
    this.notify();
  }

  /**
   * Receives up to `maxNumberOfMessages` visible messages and hides them for the visibility timeout.
   * A message already received `maxReceiveCount` times moves to the dead-letter queue instead.
   * Standard queues serve tenants (MessageGroupId) fairly: the group with the fewest messages in
   * flight goes first. FIFO queues serve each group in order and skip groups with a message in flight.
   */
  receive(options: ReceiveOptions): QueueMessage[] {
    const now = this.clock();
    this.expire(now);
    const redrive = this.redrivePolicy;
    const deadLetterQueue = redrive ? options.deadLetterQueue?.(redrive.deadLetterTargetArn) : undefined;
    const visibility = options.visibilityTimeout ?? this.numberAttribute('VisibilityTimeout');
    const picked: QueueMessage[] = [];
    const take = (m: QueueMessage): boolean => {
      if (redrive && deadLetterQueue && m.receiveCount >= redrive.maxReceiveCount) {
        this.messages = this.messages.filter((x) => x !== m);
        deadLetterQueue.acceptRedriven(m, this.arn);
        return false;
      }
      m.receiveCount += 1;
      m.firstReceiveTimestamp ??= now;
      m.visibleAt = now + visibility * 1000;
      m.receiptHandle = receiptHandleFor(this.name, m.messageId);
      picked.push(m);
      return true;
    };
    for (const m of this.fifo ? this.fifoCandidates(now) : this.fairCandidates(now)) {
      if (picked.length >= options.maxNumberOfMessages) break;
      take(m);
    }
    return picked.map((m) => ({ ...m }));
  }

  /** Deletes by receipt handle. A stale handle (the message was received again since) succeeds without deleting. */
  delete(receiptHandle: unknown): void {
    const [queueName, messageId] = parseReceiptHandle(receiptHandle);
    if (queueName !== this.name) throw receiptHandleIsInvalid(String(receiptHandle));
    const index = this.messages.findIndex((m) => m.messageId === messageId && m.receiptHandle === receiptHandle);
    if (index >= 0) {
      this.messages.splice(index, 1);
      this.notify();
    }
  }

  changeVisibility(receiptHandle: unknown, visibilityTimeout: unknown): void {
    const [queueName, messageId] = parseReceiptHandle(receiptHandle);
    if (queueName !== this.name) throw receiptHandleIsInvalid(String(receiptHandle));
    const seconds = Number(visibilityTimeout);
    if (visibilityTimeout === undefined || visibilityTimeout === null) throw missingParameter('VisibilityTimeout');
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200) {
      throw invalidParameterValue(
        `Value ${String(visibilityTimeout)} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
      );
    }
    const now = this.clock();
    const m = this.messages.find((x) => x.messageId === messageId);
    if (!m || m.receiptHandle !== receiptHandle || m.visibleAt <= now) throw messageNotInflight();
    m.visibleAt = now + seconds * 1000;
    this.notify();
  }

  purge(): void {
    this.messages = [];
    this.notify();
  }

  /** Epoch ms at which the next hidden message becomes visible, if any. */
  nextVisibleAt(): number | undefined {
    const now = this.clock();
    let next: number | undefined;
    for (const m of this.messages)
      if (m.visibleAt > now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
    return next;
  }

  /** Resolves on the next change (send, delete, visibility change) or after `ms`. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
    });
  }

  /** Wakes every long poll waiting on this queue. */
  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private expire(now: number): void {
    const retentionMs = this.numberAttribute('MessageRetentionPeriod') * 1000;
    if (this.messages.some((m) => m.sentTimestamp + retentionMs <= now)) {
      this.messages = this.messages.filter((m) => m.sentTimestamp + retentionMs > now);
    }
    for (const [key, entry] of this.deduplication) if (entry.expiresAt <= now) this.deduplication.delete(key);
  }

  private *fairCandidates(now: number): Generator<QueueMessage> {
    const inFlight = new Map<string, number>();
    const waiting = new Map<string, QueueMessage[]>();
    for (const m of this.messages) {
      const group = m.messageGroupId ?? '';
      if (m.visibleAt > now) {
        if (m.receiveCount > 0) inFlight.set(group, (inFlight.get(group) ?? 0) + 1);
        continue;
      }
      const list = waiting.get(group);
      if (list) list.push(m);
      else waiting.set(group, [m]);
    }
    while (waiting.size > 0) {
      let best: string | undefined;
      for (const [group, list] of waiting) {
        if (best === undefined) {
          best = group;
          continue;
        }
        const load = inFlight.get(group) ?? 0;
        const bestLoad = inFlight.get(best) ?? 0;
        const head = list[0] as QueueMessage;
        const bestHead = (waiting.get(best) as QueueMessage[])[0] as QueueMessage;
        if (load < bestLoad || (load === bestLoad && head.sentTimestamp < bestHead.sentTimestamp)) best = group;
      }
      const list = waiting.get(best as string) as QueueMessage[];
      const next = list.shift() as QueueMessage;
      if (list.length === 0) waiting.delete(best as string);
      inFlight.set(best as string, (inFlight.get(best as string) ?? 0) + 1);
      yield next;
    }
  }

  private *fifoCandidates(now: number): Generator<QueueMessage> {
    const blocked = new Set<string>();
    for (const m of this.messages) {
      if (m.visibleAt > now && m.receiveCount > 0) blocked.add(m.messageGroupId ?? '');
    }
    const groups: string[] = [];
    for (const m of this.messages) {
      const g = m.messageGroupId ?? '';
      if (!blocked.has(g) && !groups.includes(g)) groups.push(g);
    }
    for (const g of groups) {
      for (const m of this.messages.filter((x) => (x.messageGroupId ?? '') === g)) {
        // A hidden message (delayed or picked a moment ago) keeps the rest of its group waiting.
        if (m.visibleAt > now) break;
        yield m;
      }
    }
  }
}
