/** Thrown by `parseEnvelope` when an event's `detail` is not a valid envelope; `field` names the culprit. */
export class InvalidEnvelopeError extends Error {
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`Invalid event envelope: ${field} ${problem}`);
    this.name = 'InvalidEnvelopeError';
    this.field = field;
  }
}

/**
 * Thrown before anything is sent for an event that can never be published as is: its PutEvents entry
 * (counted with `eventEntrySize`) is larger than `PUT_EVENTS_MAX_ENTRY_BYTES`. Names the event and the limit.
 */
export class EventTooLargeError extends Error {
  readonly detailType: string;
  readonly sizeBytes: number;
  readonly limitBytes: number;
  /** Position of the entry in the list given to `sendPutEvents` (absent from `EventPublisher.publish()`). */
  readonly entryIndex: number | undefined;

  constructor(detailType: string, sizeBytes: number, limitBytes: number, entryIndex?: number) {
    const which = entryIndex === undefined ? '' : ` (entry ${entryIndex})`;
    super(
      `Event "${detailType}"${which} is ${sizeBytes} bytes as a PutEvents entry; the EventBridge PutEvents ` +
        `entry limit (PUT_EVENTS_MAX_ENTRY_BYTES) is ${limitBytes} bytes. ` +
        'Store the payload in S3 and publish a pointer to it (claim check).',
    );
    this.name = 'EventTooLargeError';
    this.detailType = detailType;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
    this.entryIndex = entryIndex;
  }
}

/**
 * One event that was not published, with the last error seen. In `PublishFailedError.failed` it was
 * certainly not put on the bus; in `PublishFailedError.unknown` a request carrying it was sent and its
 * answer was lost (timeout, abort, connection reset, unreadable response), so it may be on the bus:
 * publishing it again with the same idempotency key is safe for consumers that deduplicate.
 */
export interface FailedEvent {
  detailType: string;
  sequenceNr: number;
  idempotencyKey: string;
  /** The entry exactly as sent (`Detail` holds the envelope JSON): enough to publish it again. */
  entry: { Source: string; DetailType: string; Detail: string; EventBusName: string; Resources?: string[] };
  errorCode: string;
  errorMessage: string;
  /** How many PutEvents calls carried this entry. */
  attempts: number;
}

/** An event whose fate is unknown: see {@link FailedEvent}. */
export type UnknownEvent = FailedEvent;

/**
 * Thrown by `EventPublisher.flush()` when some events were not confirmed as published. `failed` were
 * certainly not published, `unknown` may have been, the rest of the flush was (`published`).
 */
export class PublishFailedError extends Error {
  readonly failed: FailedEvent[];
  readonly unknown: UnknownEvent[];
  readonly published: Array<{ sequenceNr: number; eventId: string }>;

  constructor(
    failed: FailedEvent[],
    published: Array<{ sequenceNr: number; eventId: string }>,
    unknown: UnknownEvent[] = [],
  ) {
    const summary = [...failed, ...unknown]
      .sort((a, b) => a.sequenceNr - b.sequenceNr)
      .slice(0, 5)
      .map((f) => `#${f.sequenceNr} ${f.detailType}: ${f.errorCode}`)
      .join('; ');
    const count = failed.length + unknown.length;
    super(
      `${count} event(s) were not confirmed as published (${summary}${count > 5 ? '; ...' : ''}): ` +
        `${failed.length} failed, ${unknown.length} unknown; ${published.length} were published.`,
    );
    this.name = 'PublishFailedError';
    this.failed = failed;
    this.unknown = unknown;
    this.published = published;
  }
}
