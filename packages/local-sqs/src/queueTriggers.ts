import { matchesEventPattern } from '@blueprints/local-eventbridge';
import type { LocalLambda } from '@blueprints/local-runtime';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import type { SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import type { LocalQueue, QueueMessage } from './LocalQueue.js';
import { type LocalSqs, queueNameOf, systemAttributesOf } from './LocalSqs.js';

/** One `AWS::Lambda::EventSourceMapping` with an SQS source, resolved to local values. */
export interface QueueTriggerMapping {
  logicalId: string;
  functionName: string;
  queueArn: string;
  queueName: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  reportBatchItemFailures: boolean;
  enabled: boolean;
  /** `FilterCriteria.Filters[].Pattern`, parsed. Records matching none are deleted, as Lambda does for SQS. */
  filterPatterns: unknown[];
}

export type QueueTriggerOutcome = 'success' | 'partial-failure' | 'failure';

/** What one invocation of a queue-triggered function did (for logs, dashboards and tests). */
export interface QueueTriggerInvocation {
  mapping: string;
  functionName: string;
  queueName: string;
  messageIds: string[];
  outcome: QueueTriggerOutcome;
  /** The messages left on the queue (they reappear after the visibility timeout). */
  failedMessageIds: string[];
  /** Why the whole batch failed: the thrown error, or what was wrong with the response. */
  error?: unknown;
  startedAt: number;
  durationMs: number;
}

export interface QueueTriggerOptions {
  /** Longest wait between polls of an empty queue, ms (a send wakes the poller at once). Default 1000. */
  pollIntervalMs?: number;
  /** Observes each invocation. */
  onInvocation?: (invocation: QueueTriggerInvocation) => void;
  /** Where handler errors are reported; defaults to console. `null` keeps quiet. */
  logger?: Pick<Console, 'error'> | null;
}

export interface QueueTriggers {
  readonly mappings: QueueTriggerMapping[];
  readonly invocations: QueueTriggerInvocation[];
  /** Stops polling and waits for invocations in flight. */
  stop(): Promise<void>;
  /**
   * Resolves when every polled queue is empty (nothing visible, in flight or delayed) and no
   * invocation is running; rejects after `timeoutMs` (default 30 s) naming what is left.
   */
  idle(timeoutMs?: number): Promise<void>;
}

export class QueueTriggerBatchFailureError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'QueueTriggerBatchFailureError';
  }
}

/** The SQS event source mappings of a packaged template. */
export function queueTriggerMappingsFromTemplate(resolver: TemplateResolver): QueueTriggerMapping[] {
  return resourcesOfType(resolver.template, 'AWS::Lambda::EventSourceMapping', resolver.stack).flatMap(
    ([logicalId, resource]) => {
      const p = resolver.resolve(resource.Properties ?? {}, logicalId) as Record<string, unknown>;
      const queueArn = String(p.EventSourceArn ?? '');
      if (!/^arn:[^:]+:sqs:/.test(queueArn)) return [];
      const queueName = queueNameOf(queueArn);
      const fifo = queueName.endsWith('.fifo');
      const batchSize = Number(p.BatchSize ?? 10);
      const window = Number(p.MaximumBatchingWindowInSeconds ?? 0);
      const maxBatch = fifo ? 10 : 10_000;
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatch) {
        throw new Error(`${logicalId}: BatchSize ${String(p.BatchSize)} is outside 1..${maxBatch} for this queue`);
      }
      if (!Number.isInteger(window) || window < 0 || window > 300) {
        throw new Error(`${logicalId}: MaximumBatchingWindowInSeconds must be 0..300`);
      }
      if (batchSize > 10 && window < 1) {
        throw new Error(`${logicalId}: a BatchSize above 10 needs MaximumBatchingWindowInSeconds of at least 1`);
      }
      const filters = ((p.FilterCriteria as { Filters?: Array<{ Pattern?: unknown }> } | undefined)?.Filters ?? []).map(
        (f) => (typeof f.Pattern === 'string' ? (JSON.parse(f.Pattern) as unknown) : f.Pattern),
      );
      return [
        {
          logicalId,
          functionName: String(p.FunctionName),
          queueArn,
          queueName,
          batchSize,
          maximumBatchingWindowInSeconds: window,
          reportBatchItemFailures: ((p.FunctionResponseTypes ?? []) as string[]).includes('ReportBatchItemFailures'),
          enabled: p.Enabled === undefined ? true : String(p.Enabled) === 'true',
          filterPatterns: filters,
        },
      ];
    },
  );
}

/** A queue message as a record of Lambda's SQS event. */
export function toSqsRecord(message: QueueMessage, queueArn: string, region: string): SQSRecord {
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType,
    };
  }
  const record: SQSRecord = {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle ?? '',
    body: message.body,
    attributes: systemAttributesOf(message) as unknown as SQSRecordAttributes,
    messageAttributes,
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.md5OfMessageAttributes) record.md5OfMessageAttributes = message.md5OfMessageAttributes;
  return record;
}

/**
 * Decides which messages of a batch failed from a function's response, with Lambda's rules for
 * `ReportBatchItemFailures`: no response, `{}` or an empty/null list → all succeeded; a list of
 * known `itemIdentifier`s → those failed; anything malformed → the whole batch failed.
 */
export function batchItemFailuresOf(response: unknown, messageIds: string[]): string[] {
  let parsed: unknown;
  try {
    parsed = response === undefined ? undefined : JSON.parse(JSON.stringify(response));
  } catch {
    throw new QueueTriggerBatchFailureError('the function response is not JSON-serialisable');
  }
  if (parsed === undefined || parsed === null) return [];
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new QueueTriggerBatchFailureError(`the function response ${JSON.stringify(parsed)} is not an object`);
  }
  const failures = (parsed as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) throw new QueueTriggerBatchFailureError('batchItemFailures is not a list');
  const known = new Set(messageIds);
  const failed = new Set<string>();
  for (const item of failures) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '') {
      throw new QueueTriggerBatchFailureError(
        `batchItemFailures holds an item without an itemIdentifier: ${JSON.stringify(item)}`,
      );
    }
    if (!known.has(id))
      throw new QueueTriggerBatchFailureError(`batchItemFailures names ${id}, which is not in the batch`);
    failed.add(id);
  }
  return messageIds.filter((id) => failed.has(id));
}

function parseBodyForFilter(body: string): unknown {
  try {
    const value = JSON.parse(body) as unknown;
    return value !== null && typeof value === 'object' ? value : body;
  } catch {
    return body;
  }
}

/**
 * Polls every enabled SQS event source mapping of a template and invokes its function through
 * `lambda` like Lambda does: batches of up to BatchSize (waiting up to
 * MaximumBatchingWindowInSeconds to fill one), delete on success, leave the whole batch on a thrown
 * error or malformed partial response, leave only the listed items with ReportBatchItemFailures.
 * Messages left behind reappear after the queue's visibility timeout and move to the DLQ after
 * maxReceiveCount receives. Create the queues first (`sqs.createQueuesFromTemplate`).
 *
 * @example
 * const triggers = startQueueTriggers(resolver, sqs, lambda, { pollIntervalMs: 20 });
 * await sqs.sendMessage(queueArn, JSON.stringify({ hello: 'world' }));
 * await triggers.idle();
 * await triggers.stop();
 */
export function startQueueTriggers(
  resolver: TemplateResolver,
  sqs: LocalSqs,
  lambda: LocalLambda,
  options: QueueTriggerOptions = {},
): QueueTriggers {
  const mappings = queueTriggerMappingsFromTemplate(resolver);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const logger = options.logger === undefined ? console : options.logger;
  const invocations: QueueTriggerInvocation[] = [];
  const active = mappings.filter((m) => m.enabled);
  const queues = new Map<string, LocalQueue>();
  for (const m of active) {
    lambda.find(m.functionName);
    const queue = sqs.findQueue(m.queueName);
    if (!queue) {
      throw new Error(
        `${m.logicalId} polls queue ${m.queueName}, which the local SQS does not have: call sqs.createQueuesFromTemplate(resolver) first`,
      );
    }
    queues.set(m.logicalId, queue);
  }

  let stopped = false;
  let busy = 0;

  const receive = (m: QueueTriggerMapping, max: number) =>
    sqs.receiveMessages(m.queueName, { maxNumberOfMessages: max, waitTimeSeconds: 0 });

  const collectBatch = async (m: QueueTriggerMapping, queue: LocalQueue): Promise<QueueMessage[]> => {
    const batch = await receive(m, m.batchSize);
    if (batch.length === 0 || m.maximumBatchingWindowInSeconds === 0) return batch;
    const deadline = Date.now() + m.maximumBatchingWindowInSeconds * 1000;
    while (batch.length < m.batchSize && !stopped && Date.now() < deadline) {
      await queue.changed(deadline - Date.now());
      batch.push(...(await receive(m, m.batchSize - batch.length)));
    }
    return batch;
  };

  const filterBatch = (m: QueueTriggerMapping, batch: QueueMessage[]): QueueMessage[] => {
    if (m.filterPatterns.length === 0) return batch;
    return batch.filter((message) => {
      const record = toSqsRecord(message, m.queueArn, resolver.stack.region);
      const subject = { ...record, body: parseBodyForFilter(record.body) };
      if (m.filterPatterns.some((pattern) => matchesEventPattern(pattern, subject))) return true;
      sqs.deleteMessage(m.queueName, message.receiptHandle as string);
      return false;
    });
  };

  const invoke = async (m: QueueTriggerMapping, batch: QueueMessage[]): Promise<void> => {
    const messageIds = batch.map((x) => x.messageId);
    const event: SQSEvent = { Records: batch.map((x) => toSqsRecord(x, m.queueArn, resolver.stack.region)) };
    const startedAt = Date.now();
    let failed: string[] = [];
    let error: unknown;
    try {
      const response = await lambda.invoke(m.functionName, event);
      if (m.reportBatchItemFailures) failed = batchItemFailuresOf(response, messageIds);
    } catch (e) {
      error = e;
      failed = messageIds;
      logger?.error(`[queue trigger ${m.logicalId}] ${m.functionName} failed the whole batch:`, e);
    }
    const failedSet = new Set(failed);
    for (const message of batch) {
      if (!failedSet.has(message.messageId)) sqs.findQueue(m.queueName)?.delete(message.receiptHandle);
    }
    const invocation: QueueTriggerInvocation = {
      mapping: m.logicalId,
      functionName: m.functionName,
      queueName: m.queueName,
      messageIds,
      outcome: failed.length === 0 ? 'success' : failed.length === messageIds.length ? 'failure' : 'partial-failure',
      failedMessageIds: failed,
      startedAt,
      durationMs: Date.now() - startedAt,
    };
    if (error !== undefined) invocation.error = error;
    invocations.push(invocation);
    options.onInvocation?.(invocation);
  };

  const poll = async (m: QueueTriggerMapping, queue: LocalQueue): Promise<void> => {
    while (!stopped) {
      busy++;
      try {
        const batch = filterBatch(m, await collectBatch(m, queue));
        if (batch.length > 0) await invoke(m, batch);
        else {
          busy--;
          const next = queue.nextVisibleAt();
          await queue.changed(Math.min(pollIntervalMs, next === undefined ? pollIntervalMs : next - Date.now()));
          continue;
        }
      } catch (e) {
        logger?.error(`[queue trigger ${m.logicalId}] polling ${m.queueName} failed:`, e);
        await new Promise((r) => setTimeout(r, pollIntervalMs));
      }
      busy--;
    }
  };

  const pollers = active.map((m) => poll(m, queues.get(m.logicalId) as LocalQueue));

  return {
    mappings,
    invocations,
    async stop() {
      stopped = true;
      for (const queue of queues.values()) queue.notify();
      await Promise.all(pollers);
    },
    async idle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      const remaining = () =>
        [...queues.values()]
          .map((q) => ({ name: q.name, ...q.counts() }))
          .filter((c) => c.visible + c.inFlight + c.delayed > 0);
      for (;;) {
        const left = remaining();
        if (left.length === 0 && busy === 0) return;
        if (Date.now() >= deadline) {
          throw new Error(
            `Queue triggers not idle after ${timeoutMs} ms: ${busy} poll(s) busy, messages left ${JSON.stringify(left)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}
