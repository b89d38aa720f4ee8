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

/**
 * A record in the batch has no `eventID`, so a partial batch response could not name it: the whole
 * batch fails instead (Pipes retries it), rather than risk reporting a failed record as done.
 */
export class UnidentifiableRecordError extends Error {
  readonly sequenceNumber: string;

  constructor(sequenceNumber: string) {
    super(`Kinesis record ${sequenceNumber} has no eventID: cannot report it in a partial batch response`);
    this.name = 'UnidentifiableRecordError';
    this.sequenceNumber = sequenceNumber;
  }
}
