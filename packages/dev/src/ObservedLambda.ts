import {
  type HandlerLoader,
  type Invocation,
  type LocalFunction,
  LocalLambda,
  type LocalLambdaOptions,
  mapBundleStackTrace,
} from '@blueprints/local-runtime';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ActivityFeed } from './activityFeed.js';

/** What started an invocation, told from the event's shape. */
export function triggerOf(event: unknown): string {
  if (Array.isArray(event)) return 'pipe enrichment';
  // Any JSON is a valid payload (Invoke takes strings and numbers too): `in` would throw on those.
  if (event === null || typeof event !== 'object') return 'direct';
  const e = event as Record<string, unknown>;
  const first = Array.isArray(e.Records) ? (e.Records[0] as Record<string, unknown> | undefined) : undefined;
  if (first?.eventSource === 'aws:sqs') return 'sqs';
  if (e.version === '2.0' && typeof e.routeKey === 'string') return `http ${e.routeKey}`;
  if ('protocolData' in e || 'protocols' in e) return 'iot authorizer';
  if (typeof e.eventType === 'string' && typeof e.clientId === 'string') return 'iot rule';
  if (typeof e['detail-type'] === 'string') return 'eventbridge rule';
  return 'direct';
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/**
 * A `LocalLambda` that reports every invocation to the dashboard feed: outcome, duration, the
 * error with its (source-mapped) stack, and for SQS batches each message with its MessageGroupId
 * and whether it was reported as failed. Every way in reaches it (triggers, routes, the Invoke API).
 */
export class ObservedLambda extends LocalLambda {
  constructor(
    readonly service: string,
    functions: LocalFunction[],
    loader: HandlerLoader,
    baseEnvironment: Record<string, string>,
    private readonly feed: ActivityFeed,
    options: LocalLambdaOptions = {},
  ) {
    super(functions, loader, baseEnvironment, options);
  }

  override async invokeWithLog(
    nameOrArn: string,
    event: unknown,
    options: { requestId?: string } = {},
  ): Promise<Invocation> {
    const fn = this.find(nameOrArn);
    const started = Date.now();
    const invocation = await super.invokeWithLog(nameOrArn, event, options);
    const e = invocation.error as Error | undefined;
    this.feed.publish({
      kind: 'invocation',
      service: this.service,
      functionName: fn.name,
      logicalId: fn.logicalId,
      trigger: triggerOf(event),
      outcome: invocation.status === 'ok' ? 'success' : 'error',
      durationMs: Date.now() - started,
      ...(invocation.status !== 'ok'
        ? {
            error: {
              name: e?.name ?? 'Error',
              message: String(e?.message ?? e),
              stack: mapBundleStackTrace(String(e?.stack ?? e)),
            },
          }
        : {}),
      at: new Date(started).toISOString(),
    });
    this.reportQueue(fn, event, invocation.status === 'ok' ? invocation.result : undefined);
    return invocation;
  }

  private reportQueue(fn: LocalFunction, event: unknown, result: unknown): void {
    if (triggerOf(event) !== 'sqs') return;
    const failed = new Set(
      result === undefined
        ? (event as SQSEvent).Records.map((r) => r.messageId)
        : ((result as SQSBatchResponse | null)?.batchItemFailures ?? []).map((f) => f.itemIdentifier),
    );
    for (const record of (event as SQSEvent).Records) {
      this.feed.publish({
        kind: 'queue',
        service: this.service,
        queue: record.eventSourceARN.split(':').slice(-1)[0] ?? record.eventSourceARN,
        functionName: fn.name,
        messageId: record.messageId,
        ...(record.attributes.MessageGroupId ? { messageGroupId: record.attributes.MessageGroupId } : {}),
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
        body: parseBody(record.body),
        outcome: failed.has(record.messageId) ? 'failed' : 'success',
        at: new Date().toISOString(),
      });
    }
  }
}
