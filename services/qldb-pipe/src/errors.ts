/**
 * A Kinesis record the enrichment cannot turn into events. The message names the record's
 * sequence number (and the user record's position inside a KPL aggregate) so that the batch that
 * Pipes retries, bisects and finally sends to the dead-letter queue can be traced to one record.
 */
export class MalformedRecordError extends Error {
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number | undefined;
  readonly reason: string;

  constructor(sequenceNumber: string, reason: string, options: { subSequenceNumber?: number; cause?: unknown } = {}) {
    const where =
      options.subSequenceNumber === undefined
        ? `Kinesis record ${sequenceNumber}`
        : `Kinesis record ${sequenceNumber} (user record ${options.subSequenceNumber})`;
    super(`${where}: ${reason}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MalformedRecordError';
    this.sequenceNumber = sequenceNumber;
    this.subSequenceNumber = options.subSequenceNumber;
    this.reason = reason;
  }
}

/** PutEvents rejected entries for good (non-retryable errors, or retries exhausted). */
export class PublishEventsError extends Error {
  readonly failures: Array<{ label: string; errorCode: string; errorMessage: string }>;

  constructor(failures: Array<{ label: string; errorCode: string; errorMessage: string }>) {
    const shown = failures
      .slice(0, 5)
      .map((f) => `${f.label}: ${f.errorCode} ${f.errorMessage}`.trim())
      .join('; ');
    super(`EventBridge rejected ${failures.length} event(s): ${shown}${failures.length > 5 ? '; ...' : ''}`);
    this.name = 'PublishEventsError';
    this.failures = failures;
  }
}

/** One event is larger than the 256 KB PutEvents allows; it can never be published as is. */
export class EventTooLargeForBusError extends Error {
  constructor(label: string, size: number) {
    super(`${label}: the event is ${size} bytes, above the 262144 bytes PutEvents accepts`);
    this.name = 'EventTooLargeForBusError';
  }
}
