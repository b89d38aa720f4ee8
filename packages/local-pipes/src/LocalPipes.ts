import { randomUUID } from 'node:crypto';
import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
  ListShardsCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import type { PutEventsEntry, PutEventsResult } from '@blueprints/local-eventbridge';
import type { LocalLambda } from '@blueprints/local-runtime';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';
import { localKinesisClient, streamNameFromArn } from './localKinesis.js';
import { applyPipeInputTemplate, resolvePipeParameter } from './targetParameters.js';

/** The most events an event-bus target accepts per invocation. */
export const PIPE_EVENT_BUS_TARGET_BATCH_LIMIT = 10;

/** One `AWS::Pipes::Pipe` with a Kinesis source, resolved to local values. */
export interface LocalPipeDefinition {
  logicalId: string;
  name: string;
  arn: string;
  roleArn: string;
  sourceArn: string;
  streamName: string;
  startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  startingPositionTimestamp?: Date;
  batchSize: number;
  /** -1 = retry until the record expires (AWS); locally capped by `LocalPipesOptions.unlimitedRetries`. */
  maximumRetryAttempts: number;
  bisectOnError: boolean;
  deadLetterArn?: string;
  enrichment?: string;
  enrichmentInputTemplate?: string;
  target: string;
  /** An event bus (PutEvents) or a Lambda function (invoked with the batch, may report partial failures). */
  targetKind: 'event-bus' | 'lambda';
  inputTemplate?: string;
  eventBusParameters?: { Source?: string; DetailType?: string; Resources?: string[]; Time?: string };
  running: boolean;
}

export class UnsupportedPipeError extends Error {
  constructor(pipe: string, what: string) {
    super(`Pipe ${pipe}: ${what} is not supported by the local Pipes runner`);
    this.name = 'UnsupportedPipeError';
  }
}

interface PipeProperties {
  Source?: string;
  Target?: string;
  RoleArn?: string;
  Enrichment?: string;
  DesiredState?: string;
  SourceParameters?: {
    FilterCriteria?: unknown;
    KinesisStreamParameters?: {
      StartingPosition?: LocalPipeDefinition['startingPosition'];
      StartingPositionTimestamp?: string;
      BatchSize?: number | string;
      MaximumRetryAttempts?: number | string;
      OnPartialBatchItemFailure?: string;
      DeadLetterConfig?: { Arn?: string };
    };
  };
  EnrichmentParameters?: { InputTemplate?: string };
  TargetParameters?: {
    InputTemplate?: string;
    EventBridgeEventBusParameters?: LocalPipeDefinition['eventBusParameters'];
  };
}

/** Reads every `AWS::Pipes::Pipe` of a packaged template (Kinesis sources; event-bus or Lambda targets). */
export function pipesFromTemplate(resolver: TemplateResolver): LocalPipeDefinition[] {
  return resourcesOfType(resolver.template, 'AWS::Pipes::Pipe', resolver.stack).map(([logicalId, resource]) => {
    const p = resolver.resolve(resource.Properties ?? {}, logicalId) as PipeProperties;
    const name = resolver.physicalName(logicalId);
    const source = String(p.Source);
    if (!source.includes(':kinesis:')) throw new UnsupportedPipeError(name, `source ${source} (only Kinesis)`);
    const target = String(p.Target);
    const targetKind = target.includes(':event-bus/')
      ? 'event-bus'
      : target.includes(':function:')
        ? 'lambda'
        : undefined;
    if (!targetKind) throw new UnsupportedPipeError(name, `target ${target} (only event buses and Lambda functions)`);
    const k = p.SourceParameters?.KinesisStreamParameters ?? {};
    if (p.SourceParameters?.FilterCriteria) throw new UnsupportedPipeError(name, 'FilterCriteria');
    return {
      logicalId,
      name,
      arn: resolver.arn(logicalId),
      roleArn: String(p.RoleArn ?? ''),
      sourceArn: source,
      streamName: streamNameFromArn(source),
      startingPosition: k.StartingPosition ?? 'LATEST',
      ...(k.StartingPositionTimestamp ? { startingPositionTimestamp: new Date(k.StartingPositionTimestamp) } : {}),
      batchSize: Number(k.BatchSize ?? 100),
      maximumRetryAttempts: Number(k.MaximumRetryAttempts ?? -1),
      bisectOnError: k.OnPartialBatchItemFailure === 'AUTOMATIC_BISECT',
      ...(k.DeadLetterConfig?.Arn ? { deadLetterArn: String(k.DeadLetterConfig.Arn) } : {}),
      ...(p.Enrichment ? { enrichment: String(p.Enrichment) } : {}),
      ...(p.EnrichmentParameters?.InputTemplate
        ? { enrichmentInputTemplate: p.EnrichmentParameters.InputTemplate }
        : {}),
      target,
      targetKind,
      ...(p.TargetParameters?.InputTemplate ? { inputTemplate: p.TargetParameters.InputTemplate } : {}),
      ...(p.TargetParameters?.EventBridgeEventBusParameters
        ? { eventBusParameters: p.TargetParameters.EventBridgeEventBusParameters }
        : {}),
      running: (p.DesiredState ?? 'RUNNING') === 'RUNNING',
    };
  });
}

/** A Kinesis record as a pipe passes it to its enrichment or target. */
export interface PipeKinesisEvent {
  kinesisSchemaVersion: '1.0';
  partitionKey: string;
  sequenceNumber: string;
  /** base64 */
  data: string;
  /** Epoch seconds. */
  approximateArrivalTimestamp: number;
  eventSource: 'aws:kinesis';
  eventVersion: '1.0';
  eventID: string;
  eventName: 'aws:kinesis:record';
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

/** Something the pipe failed to do with one batch. */
export interface PipeFailure {
  pipe: string;
  kind: 'enrichment-error' | 'target-batch-limit' | 'target-parameters' | 'target-error' | 'target-partial-failure';
  message: string;
  sequenceNumbers: string[];
  /** `target-partial-failure`: the records a Lambda target listed in `batchItemFailures`; only these are retried. */
  retry?: PipeKinesisEvent[];
  at: Date;
}

/** One PutEvents the pipe's target made. */
export interface PipeTargetDelivery {
  pipe: string;
  entries: PutEventsEntry[];
  result: PutEventsResult;
}

export interface PipeDeadLetter {
  pipe: string;
  queue: string;
  body: string;
}

export interface LocalPipesOptions {
  /** A Kinesis client for the local stream, or its endpoint (give this or `kinesisEndpoint`). */
  kinesis?: KinesisClient | { endpoint: string };
  /** The local Kinesis endpoint (`startLocalKinesis().endpoint`). */
  kinesisEndpoint?: string;
  lambda: LocalLambda;
  /** In-process bus (e.g. `LocalEventBridge`), or the endpoint of one that speaks PutEvents. */
  eventBridge:
    | { putEvents(entries: PutEventsEntry[]): PutEventsResult | Promise<PutEventsResult> }
    | { endpoint: string }
    | string;
  /** Receives the dead-letter messages (`LocalSqs` fits). */
  sqs?: { sendMessage(queueUrlOrArn: string, body: string, opts: Record<string, unknown>): Promise<unknown> };
  region?: string;
  /** Poll interval per shard when it is caught up (ms). */
  pollIntervalMs?: number;
  /** Pause before retrying a failed batch (ms). */
  retryDelayMs?: number;
  /** Attempts after which a pipe with MaximumRetryAttempts -1 gives up locally. */
  unlimitedRetries?: number;
}

interface ShardPoller {
  pipe: LocalPipeDefinition;
  shardId: string;
  iterator?: string;
  caughtUpAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A local EventBridge Pipes runner for Kinesis sources and event-bus or Lambda targets, as a packaged
 * template configures them: polls each shard from StartingPosition, hands batches of up to
 * BatchSize Pipes-shaped records to the enrichment (a `LocalLambda`), applies the target parameters
 * (Source, DetailType, Resources, Time; literal or `$.path`; InputTemplate) and puts the events on
 * the bus. Like AWS it does NOT invoke an event-bus target with more than 10 events (recorded as a
 * `target-batch-limit` failure, the batch is lost), skips the target when the enrichment returns
 * nothing, and on an enrichment or target error bisects (AUTOMATIC_BISECT), retries up to
 * MaximumRetryAttempts and then sends the batch's metadata to the dead-letter queue. A Lambda
 * target gets the batch and may answer `{ batchItemFailures: [{ itemIdentifier: eventID }] }`: only
 * those records are retried (no bisection), and dead-lettered when the retries run out.
 * DetailType `$.path`: resolved against each event the target receives (the enrichment's output);
 * if it does not resolve the batch fails with `UnresolvedPipePathError` (`target-parameters`).
 * Not modelled: MaximumBatchingWindowInSeconds (batches go out at once), ParallelizationFactor,
 * MaximumRecordAgeInSeconds, enhanced fan-out, resharding.
 *
 * @example
 * const pipes = await startPipesFromTemplate(resolver, { kinesis: kinesis.client, lambda, eventBridge: bus, sqs });
 * await pipes.idle();
 * pipes.failures; // []
 * await pipes.stop();
 */
export class LocalPipes {
  readonly failures: PipeFailure[] = [];
  readonly deliveries: PipeTargetDelivery[] = [];
  readonly deadLetters: PipeDeadLetter[] = [];
  /** Every enrichment invocation: the batch size it got and how many events it returned. */
  readonly enrichmentInvocations: Array<{ pipe: string; records: number; returned: number | 'error' }> = [];
  /** Every Lambda target invocation: the batch size it got and how many records it reported failed. */
  readonly targetInvocations: Array<{ pipe: string; records: number; failed: number | 'error' }> = [];
  /** GetRecords calls that failed (the shard is polled again after the poll interval). */
  readonly pollErrors: Array<{ pipe: string; shardId: string; error: unknown }> = [];
  private readonly client: KinesisClient;
  private readonly ownsClient: boolean;
  private readonly pollers: ShardPoller[] = [];
  private readonly loops: Promise<void>[] = [];
  private inFlight = 0;
  private stopped = false;
  private readonly region: string;

  constructor(
    readonly pipes: LocalPipeDefinition[],
    private readonly options: LocalPipesOptions,
  ) {
    this.region = options.region ?? 'us-east-1';
    const kinesis = options.kinesis ?? (options.kinesisEndpoint ? { endpoint: options.kinesisEndpoint } : undefined);
    if (!kinesis) throw new Error('LocalPipes needs `kinesis` (a client) or `kinesisEndpoint`');
    if ('send' in kinesis) {
      this.client = kinesis;
      this.ownsClient = false;
    } else {
      this.client = localKinesisClient(kinesis.endpoint, this.region);
      this.ownsClient = true;
    }
  }

  /** Opens a shard iterator per shard of every running pipe's stream and starts polling. */
  async start(): Promise<this> {
    for (const pipe of this.pipes.filter((p) => p.running)) {
      const shards = await this.client.send(new ListShardsCommand({ StreamName: pipe.streamName }));
      for (const shard of shards.Shards ?? []) {
        const shardId = String(shard.ShardId);
        const { ShardIterator } = await this.client.send(
          new GetShardIteratorCommand({
            StreamName: pipe.streamName,
            ShardId: shardId,
            ShardIteratorType: pipe.startingPosition as ShardIteratorType,
            ...(pipe.startingPositionTimestamp ? { Timestamp: pipe.startingPositionTimestamp } : {}),
          }),
        );
        const poller: ShardPoller = { pipe, shardId, iterator: ShardIterator, caughtUpAt: 0 };
        this.pollers.push(poller);
        this.loops.push(this.poll(poller));
      }
    }
    return this;
  }

  /** Resolves once every shard has been read to its end after this call and no batch is in flight. */
  async idle(timeoutMs = 20_000): Promise<void> {
    const since = Date.now();
    for (;;) {
      if (this.inFlight === 0 && this.pollers.every((p) => p.caughtUpAt > since || !p.iterator)) return;
      if (Date.now() - since > timeoutMs) throw new Error(`LocalPipes not idle after ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.loops);
    if (this.ownsClient) this.client.destroy();
  }

  private async poll(poller: ShardPoller): Promise<void> {
    const { pipe } = poller;
    while (!this.stopped && poller.iterator) {
      let output: GetRecordsCommandOutput;
      try {
        output = await this.client.send(new GetRecordsCommand({ ShardIterator: poller.iterator, Limit: 10_000 }));
      } catch (error) {
        if (this.stopped) return;
        this.pollErrors.push({ pipe: pipe.name, shardId: poller.shardId, error });
        await sleep(this.options.pollIntervalMs ?? 50);
        continue;
      }
      poller.iterator = output.NextShardIterator;
      const records = (output.Records ?? []).map((r) => this.toPipeEvent(pipe, poller.shardId, r));
      if (records.length === 0) {
        poller.caughtUpAt = Date.now();
        await sleep(this.options.pollIntervalMs ?? 50);
        continue;
      }
      this.inFlight++;
      try {
        for (let i = 0; i < records.length; i += pipe.batchSize) {
          await this.processBatch(pipe, poller.shardId, records.slice(i, i + pipe.batchSize));
        }
      } finally {
        this.inFlight--;
      }
    }
  }

  private toPipeEvent(pipe: LocalPipeDefinition, shardId: string, record: KinesisRecord): PipeKinesisEvent {
    const sequenceNumber = String(record.SequenceNumber);
    return {
      kinesisSchemaVersion: '1.0',
      partitionKey: String(record.PartitionKey),
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: pipe.roleArn,
      awsRegion: this.region,
      eventSourceARN: pipe.sourceArn,
    };
  }

  /** Delivers one batch: retries, bisects, and dead-letters it as the pipe is configured to. */
  private async processBatch(pipe: LocalPipeDefinition, shardId: string, records: PipeKinesisEvent[]): Promise<void> {
    let batch = records;
    const maxRetries =
      pipe.maximumRetryAttempts < 0 ? (this.options.unlimitedRetries ?? 10) : pipe.maximumRetryAttempts;
    for (let attempt = 0; ; attempt++) {
      const failure = await this.attempt(pipe, batch);
      if (!failure) return;
      this.failures.push(failure);
      // AWS does not invoke an event-bus target with more than 10 events: those events are gone.
      if (failure.kind === 'target-batch-limit') return;
      if (failure.retry) {
        // A partial batch failure is not an error of the batch: only the listed records go round again.
        if (attempt >= maxRetries) {
          await this.deadLetter(pipe, shardId, failure.retry, attempt + 1, failure);
          return;
        }
        batch = failure.retry;
        await sleep(this.options.retryDelayMs ?? 0);
        continue;
      }
      if (pipe.bisectOnError && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await this.processBatch(pipe, shardId, batch.slice(0, half));
        await this.processBatch(pipe, shardId, batch.slice(half));
        return;
      }
      if (attempt >= maxRetries) {
        await this.deadLetter(pipe, shardId, batch, attempt + 1, failure);
        return;
      }
      await sleep(this.options.retryDelayMs ?? 0);
    }
  }

  private async attempt(pipe: LocalPipeDefinition, batch: PipeKinesisEvent[]): Promise<PipeFailure | undefined> {
    const fail = (kind: PipeFailure['kind'], message: string): PipeFailure => ({
      pipe: pipe.name,
      kind,
      message,
      sequenceNumbers: batch.map((r) => r.sequenceNumber),
      at: new Date(),
    });
    let events: unknown[] = batch;
    if (pipe.enrichment) {
      const input = pipe.enrichmentInputTemplate
        ? batch.map((r) => JSON.parse(applyPipeInputTemplate(pipe.enrichmentInputTemplate as string, r)))
        : batch;
      let output: unknown;
      try {
        output = await this.options.lambda.invoke(pipe.enrichment, input);
      } catch (error) {
        this.enrichmentInvocations.push({ pipe: pipe.name, records: batch.length, returned: 'error' });
        return fail('enrichment-error', error instanceof Error ? error.message : String(error));
      }
      events = enrichmentEvents(output);
      this.enrichmentInvocations.push({ pipe: pipe.name, records: batch.length, returned: events.length });
    }
    if (events.length === 0) return undefined;
    if (pipe.targetKind === 'lambda') return this.invokeLambdaTarget(pipe, batch, events, fail);
    if (events.length > PIPE_EVENT_BUS_TARGET_BATCH_LIMIT) {
      return fail(
        'target-batch-limit',
        `the enrichment returned ${events.length} events; an event-bus target takes at most ${PIPE_EVENT_BUS_TARGET_BATCH_LIMIT}, so the target was not invoked`,
      );
    }
    let entries: PutEventsEntry[];
    try {
      entries = events.map((event) => this.toEntry(pipe, event));
    } catch (error) {
      return fail('target-parameters', error instanceof Error ? error.message : String(error));
    }
    let result: PutEventsResult;
    try {
      result = await this.putEvents(entries);
    } catch (error) {
      return fail('target-error', error instanceof Error ? error.message : String(error));
    }
    this.deliveries.push({ pipe: pipe.name, entries, result });
    if (result.FailedEntryCount > 0) {
      const codes = result.Entries.filter((e) => e.ErrorCode).map((e) => `${e.ErrorCode} ${e.ErrorMessage ?? ''}`);
      return fail('target-error', `PutEvents failed for ${result.FailedEntryCount} entries: ${codes.join('; ')}`);
    }
    return undefined;
  }

  /**
   * A Lambda target gets the batch as an array. It may answer `{ batchItemFailures: [{ itemIdentifier }] }`
   * naming Kinesis records by `eventID` (Pipes docs, "Partial batch failure"): only those are retried.
   * An identifier that is empty or names no record of the batch fails the whole batch, as Lambda does.
   */
  private async invokeLambdaTarget(
    pipe: LocalPipeDefinition,
    batch: PipeKinesisEvent[],
    events: unknown[],
    fail: (kind: PipeFailure['kind'], message: string) => PipeFailure,
  ): Promise<PipeFailure | undefined> {
    let output: unknown;
    try {
      output = await this.options.lambda.invoke(pipe.target, events);
    } catch (error) {
      this.targetInvocations.push({ pipe: pipe.name, records: batch.length, failed: 'error' });
      return fail('target-error', error instanceof Error ? error.message : String(error));
    }
    const reported = (output as { batchItemFailures?: unknown } | null)?.batchItemFailures;
    const items = Array.isArray(reported) ? reported : [];
    this.targetInvocations.push({ pipe: pipe.name, records: batch.length, failed: items.length });
    if (items.length === 0) return undefined;
    const ids = items.map((item) => (item as { itemIdentifier?: unknown } | null)?.itemIdentifier);
    const retry = batch.filter((r) => ids.includes(r.eventID));
    if (retry.length !== new Set(ids).size) {
      return fail('target-error', `batchItemFailures names records that are not in the batch: ${JSON.stringify(ids)}`);
    }
    return {
      ...fail('target-partial-failure', `the target reported ${retry.length} of ${batch.length} records failed`),
      sequenceNumbers: retry.map((r) => r.sequenceNumber),
      retry,
    };
  }

  private toEntry(pipe: LocalPipeDefinition, event: unknown): PutEventsEntry {
    const params = pipe.eventBusParameters ?? {};
    const payload = pipe.inputTemplate ? applyPipeInputTemplate(pipe.inputTemplate, event) : event;
    const detail = typeof payload === 'string' && isJsonObjectText(payload) ? payload : JSON.stringify(payload);
    const time = resolvePipeParameter('Time', params.Time, event);
    return {
      EventBusName: pipe.target,
      Source: resolvePipeParameter('Source', params.Source, event) ?? `Pipe ${pipe.name}`,
      DetailType: resolvePipeParameter('DetailType', params.DetailType, event) ?? 'Event from aws:kinesis',
      Detail: detail,
      Resources: (params.Resources ?? []).map((r) => resolvePipeParameter('Resources', r, event) as string),
      ...(time ? { Time: time } : {}),
    };
  }

  private async putEvents(entries: PutEventsEntry[]): Promise<PutEventsResult> {
    const bus = this.options.eventBridge;
    if (typeof bus !== 'string' && 'putEvents' in bus) return bus.putEvents(entries);
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    const client = new EventBridgeClient({
      endpoint: typeof bus === 'string' ? bus : bus.endpoint,
      region: this.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const output = await client.send(
        new PutEventsCommand({
          Entries: entries.map((e) => ({ ...e, Time: e.Time === undefined ? undefined : new Date(e.Time) })),
        }),
      );
      return { FailedEntryCount: output.FailedEntryCount ?? 0, Entries: output.Entries ?? [] };
    } finally {
      client.destroy();
    }
  }

  private async deadLetter(
    pipe: LocalPipeDefinition,
    shardId: string,
    batch: PipeKinesisEvent[],
    attempts: number,
    failure: PipeFailure,
  ): Promise<void> {
    if (!pipe.deadLetterArn) return;
    const first = batch[0];
    const last = batch[batch.length - 1];
    // The metadata Lambda event source mappings send for a Kinesis batch (Pipes sends the same kind
    // of record: where the batch is, not its data).
    const body = JSON.stringify({
      requestContext: {
        requestId: randomUUID(),
        pipeArn: pipe.arn,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: attempts,
        errorMessage: failure.message,
      },
      version: '1.0',
      timestamp: new Date().toISOString(),
      KinesisBatchInfo: {
        shardId,
        startSequenceNumber: first?.sequenceNumber,
        endSequenceNumber: last?.sequenceNumber,
        approximateArrivalOfFirstRecord: first && new Date(first.approximateArrivalTimestamp * 1000).toISOString(),
        approximateArrivalOfLastRecord: last && new Date(last.approximateArrivalTimestamp * 1000).toISOString(),
        batchSize: batch.length,
        streamArn: pipe.sourceArn,
      },
    });
    this.deadLetters.push({ pipe: pipe.name, queue: pipe.deadLetterArn, body });
    await this.options.sqs?.sendMessage(pipe.deadLetterArn, body, {});
  }
}

/** What an enrichment's response becomes: `[]`, `{}`, `null` and `""` skip the target. */
function enrichmentEvents(output: unknown): unknown[] {
  if (output === undefined || output === null || output === '') return [];
  if (Array.isArray(output)) return output;
  if (typeof output === 'object' && Object.keys(output as object).length === 0) return [];
  return [output];
}

function isJsonObjectText(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Starts the local runner for every `AWS::Pipes::Pipe` of a packaged template.
 *
 * @example
 * const pipes = await startPipesFromTemplate(resolver, { kinesis: { endpoint }, lambda, eventBridge: bus });
 */
export async function startPipesFromTemplate(
  resolver: TemplateResolver,
  options: LocalPipesOptions,
): Promise<LocalPipes> {
  return new LocalPipes(pipesFromTemplate(resolver), options).start();
}
