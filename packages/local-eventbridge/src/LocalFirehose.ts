import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { resourcesOfType, type TemplateResolver } from '@blueprints/packaging';

/** One `AWS::KinesisFirehose::DeliveryStream` with an S3 destination, resolved to local values. */
export interface LocalDeliveryStream {
  name: string;
  arn: string;
  bucket: string;
  /** S3 key prefix; may hold `!{timestamp:...}` and `!{firehose:random-string}` expressions. */
  prefix: string;
  errorOutputPrefix?: string;
  /** Flush when this many bytes are buffered (`BufferingHints.SizeInMBs`, default 5 MiB). */
  bufferSizeBytes: number;
  /** Flush this long after the first buffered record (`BufferingHints.IntervalInSeconds`, default 300 s). */
  bufferIntervalMs: number;
  compression: 'UNCOMPRESSED' | 'GZIP';
}

/** An object a flush wrote to S3. */
export interface FirehoseObject {
  stream: string;
  bucket: string;
  key: string;
  records: number;
  bytes: number;
}

export interface LocalFirehoseOptions {
  s3: S3Client;
  /** The clock used for arrival times and key timestamps (UTC). */
  now?: () => Date;
  /** Replaces every stream's buffering interval (e.g. a few seconds for `pnpm dev`). */
  bufferIntervalMs?: number;
}

export class DeliveryStreamNotFoundError extends Error {
  constructor(nameOrArn: string, known: string[]) {
    super(`No local delivery stream "${nameOrArn}"; known: ${known.join(', ') || '(none)'}`);
    this.name = 'DeliveryStreamNotFoundError';
  }
}

export class UnsupportedDeliveryStreamError extends Error {
  constructor(logicalId: string, reason: string) {
    super(`Delivery stream ${logicalId} cannot run locally: ${reason}`);
    this.name = 'UnsupportedDeliveryStreamError';
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Formats a UTC date with the Java DateTimeFormatter letters Firehose prefixes use
 * (`yyyy`, `yy`, `MM`, `dd`, `HH`, `mm`, `ss`, `SSS`, `'quoted text'`).
 *
 * @example
 * formatFirehoseTimestamp('yyyy/MM/dd', new Date('2026-11-25T01:02:03Z')); // '2026/11/25'
 */
export function formatFirehoseTimestamp(format: string, date: Date): string {
  let out = '';
  for (let i = 0; i < format.length; ) {
    const c = format[i] as string;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      if (end < 0) throw new Error(`Unterminated quote in timestamp format "${format}"`);
      out += end === i + 1 ? "'" : format.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c;
      i++;
      continue;
    }
    let run = 1;
    while (format[i + run] === c) run++;
    const token = c.repeat(run);
    switch (token) {
      case 'yyyy':
      case 'uuuu':
        out += pad(date.getUTCFullYear(), 4);
        break;
      case 'yy':
      case 'uu':
        out += pad(date.getUTCFullYear() % 100);
        break;
      case 'MM':
        out += pad(date.getUTCMonth() + 1);
        break;
      case 'dd':
        out += pad(date.getUTCDate());
        break;
      case 'HH':
        out += pad(date.getUTCHours());
        break;
      case 'mm':
        out += pad(date.getUTCMinutes());
        break;
      case 'ss':
        out += pad(date.getUTCSeconds());
        break;
      case 'SSS':
        out += pad(date.getUTCMilliseconds(), 3);
        break;
      default:
        throw new Error(`Unsupported timestamp pattern "${token}" in "${format}"`);
    }
    i += run;
  }
  return out;
}

const RANDOM_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * Evaluates a Firehose S3 prefix at `date`. As Firehose does, a prefix without a
 * `!{timestamp:...}` expression gets `yyyy/MM/dd/HH/` appended.
 */
export function evaluateFirehosePrefix(prefix: string, date: Date, errorOutputType?: string): string {
  const hasTimestamp = prefix.includes('!{timestamp:');
  const evaluated = prefix.replace(/!\{([A-Za-z]+):([^}]*)\}/g, (expression, namespace: string, arg: string) => {
    if (namespace === 'timestamp') return formatFirehoseTimestamp(arg, date);
    if (namespace === 'firehose' && arg === 'random-string') {
      return Array.from(randomBytes(11), (b) => RANDOM_ALPHABET[b % RANDOM_ALPHABET.length]).join('');
    }
    if (namespace === 'firehose' && arg === 'error-output-type' && errorOutputType) return errorOutputType;
    throw new Error(`Unsupported Firehose prefix expression ${expression}`);
  });
  return hasTimestamp ? evaluated : `${evaluated}${formatFirehoseTimestamp('yyyy/MM/dd/HH/', date)}`;
}

interface Buffer_ {
  records: Buffer[];
  bytes: number;
  firstArrival?: Date;
  timer?: NodeJS.Timeout;
}

/**
 * A local Kinesis Data Firehose delivering to S3 (s3rver): records are buffered per stream and
 * written as ONE object per flush, concatenated as-is (Firehose adds no delimiter), under a
 * date-partitioned key `<prefix><stream>-1-yyyy-MM-dd-HH-mm-ss-<uuid>`.
 *
 * @example
 * const firehose = LocalFirehose.fromTemplate(resolver, { s3 });
 * await firehose.putRecord('orders-dev-archive', '{"a":1}\n');
 * await firehose.flush();
 */
export class LocalFirehose {
  private readonly byKey = new Map<string, LocalDeliveryStream>();
  private readonly buffers = new Map<string, Buffer_>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly listeners = new Set<(object: FirehoseObject) => void>();
  private readonly s3: S3Client;
  private readonly now: () => Date;
  /** Every object written, oldest first. */
  readonly objects: FirehoseObject[] = [];
  /** Flushes that failed (the records stay buffered and go out with the next flush). */
  readonly failures: Array<{ stream: string; error: string; at: Date }> = [];

  constructor(streams: LocalDeliveryStream[], options: LocalFirehoseOptions) {
    this.s3 = options.s3;
    this.now = options.now ?? (() => new Date());
    for (const stream of streams) {
      const s =
        options.bufferIntervalMs === undefined ? stream : { ...stream, bufferIntervalMs: options.bufferIntervalMs };
      this.byKey.set(s.name, s);
      this.byKey.set(s.arn, s);
    }
  }

  /** The delivery streams of a packaged template that write to S3. */
  static streamsFromTemplate(resolver: TemplateResolver): LocalDeliveryStream[] {
    return resourcesOfType(resolver.template, 'AWS::KinesisFirehose::DeliveryStream', resolver.stack).map(
      ([logicalId, resource]) => {
        const props = resolver.resolve(resource.Properties ?? {}, logicalId) as Record<string, unknown>;
        const destination = (props.ExtendedS3DestinationConfiguration ?? props.S3DestinationConfiguration) as
          | Record<string, unknown>
          | undefined;
        if (!destination) throw new UnsupportedDeliveryStreamError(logicalId, 'only S3 destinations are supported');
        if (props.DeliveryStreamType === 'KinesisStreamAsSource') {
          throw new UnsupportedDeliveryStreamError(logicalId, 'a Kinesis stream source is not supported');
        }
        const bucketArn = String(destination.BucketARN ?? '');
        const bucket = bucketArn.replace(/^arn:[^:]+:s3:::/, '');
        if (!bucket || bucket === bucketArn)
          throw new UnsupportedDeliveryStreamError(logicalId, `BucketARN "${bucketArn}"`);
        const hints = (destination.BufferingHints ?? {}) as { SizeInMBs?: number; IntervalInSeconds?: number };
        const compression = String(destination.CompressionFormat ?? 'UNCOMPRESSED');
        if (compression !== 'UNCOMPRESSED' && compression !== 'GZIP') {
          throw new UnsupportedDeliveryStreamError(logicalId, `CompressionFormat ${compression}`);
        }
        return {
          name: resolver.physicalName(logicalId),
          arn: resolver.arn(logicalId),
          bucket,
          prefix: String(destination.Prefix ?? ''),
          errorOutputPrefix:
            destination.ErrorOutputPrefix === undefined ? undefined : String(destination.ErrorOutputPrefix),
          bufferSizeBytes: Number(hints.SizeInMBs ?? 5) * 1024 * 1024,
          bufferIntervalMs: Number(hints.IntervalInSeconds ?? 300) * 1000,
          compression,
        };
      },
    );
  }

  static fromTemplate(resolver: TemplateResolver, options: LocalFirehoseOptions): LocalFirehose {
    return new LocalFirehose(LocalFirehose.streamsFromTemplate(resolver), options);
  }

  get streams(): LocalDeliveryStream[] {
    return [...new Set(this.byKey.values())];
  }

  find(nameOrArn: string): LocalDeliveryStream {
    const stream = this.byKey.get(nameOrArn);
    if (!stream)
      throw new DeliveryStreamNotFoundError(
        nameOrArn,
        this.streams.map((s) => s.name),
      );
    return stream;
  }

  /** Observes every object written. Returns a function that stops observing. */
  onObject(listener: (object: FirehoseObject) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Buffers one record; flushes when the stream's size hint is reached. */
  async putRecord(streamNameOrArn: string, data: Buffer | string): Promise<{ recordId: string }> {
    return (await this.putRecordBatch(streamNameOrArn, [data]))[0] as { recordId: string };
  }

  async putRecordBatch(streamNameOrArn: string, records: Array<Buffer | string>): Promise<Array<{ recordId: string }>> {
    const stream = this.find(streamNameOrArn);
    const buffer = this.bufferOf(stream.name);
    for (const record of records) {
      const bytes = typeof record === 'string' ? Buffer.from(record, 'utf8') : record;
      buffer.records.push(bytes);
      buffer.bytes += bytes.length;
      buffer.firstArrival ??= this.now();
    }
    if (buffer.bytes >= stream.bufferSizeBytes) await this.track(this.flushStream(stream));
    else if (!buffer.timer && buffer.records.length > 0) {
      buffer.timer = setTimeout(() => {
        buffer.timer = undefined;
        this.track(this.flushStream(stream)).catch(() => undefined);
      }, stream.bufferIntervalMs);
      buffer.timer.unref();
    }
    return records.map(() => ({ recordId: randomUUID() }));
  }

  /** Writes what is buffered (one object per stream with records). Returns the objects written. */
  async flush(streamNameOrArn?: string): Promise<FirehoseObject[]> {
    await this.idle();
    const streams = streamNameOrArn ? [this.find(streamNameOrArn)] : this.streams;
    const written = await Promise.all(streams.map((s) => this.track(this.flushStream(s))));
    return written.filter((o): o is FirehoseObject => o !== undefined);
  }

  /** Resolves when no flush is in progress. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Flushes everything and stops the timers. */
  async close(): Promise<void> {
    for (const buffer of this.buffers.values()) {
      clearTimeout(buffer.timer);
      buffer.timer = undefined;
    }
    await this.flush();
  }

  private bufferOf(name: string): Buffer_ {
    let buffer = this.buffers.get(name);
    if (!buffer) {
      buffer = { records: [], bytes: 0 };
      this.buffers.set(name, buffer);
    }
    return buffer;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    promise.then(
      () => this.inFlight.delete(promise),
      () => this.inFlight.delete(promise),
    );
    return promise;
  }

  private async flushStream(stream: LocalDeliveryStream): Promise<FirehoseObject | undefined> {
    const buffer = this.bufferOf(stream.name);
    clearTimeout(buffer.timer);
    buffer.timer = undefined;
    if (buffer.records.length === 0) return undefined;
    const records = buffer.records;
    const arrival = buffer.firstArrival ?? this.now();
    buffer.records = [];
    buffer.bytes = 0;
    buffer.firstArrival = undefined;

    const joined = Buffer.concat(records);
    const body = stream.compression === 'GZIP' ? gzipSync(joined) : joined;
    const fileName = `${stream.name}-1-${formatFirehoseTimestamp('yyyy-MM-dd-HH-mm-ss', arrival)}-${randomUUID()}${
      stream.compression === 'GZIP' ? '.gz' : ''
    }`;
    const key = `${evaluateFirehosePrefix(stream.prefix, arrival)}${fileName}`;
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: stream.bucket, Key: key, Body: body }));
    } catch (error) {
      buffer.records = [...records, ...buffer.records];
      buffer.bytes += joined.length;
      buffer.firstArrival = arrival;
      this.failures.push({ stream: stream.name, error: (error as Error).message, at: this.now() });
      throw error;
    }
    const object: FirehoseObject = {
      stream: stream.name,
      bucket: stream.bucket,
      key,
      records: records.length,
      bytes: body.length,
    };
    this.objects.push(object);
    for (const listener of this.listeners) listener(object);
    return object;
  }
}
