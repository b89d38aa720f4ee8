/** Thrown by `parseEnvelope` when an event's `detail` is not a valid envelope; `field` names the culprit. */
export class InvalidEnvelopeError extends Error {
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`Invalid event envelope: ${field} ${problem}`);
    this.name = 'InvalidEnvelopeError';
    this.field = field;
  }
}

/** Thrown by `EventPublisher.publish()` for an event that can never fit in a PutEvents request. */
export class EventTooLargeError extends Error {
  readonly detailType: string;
  readonly sizeBytes: number;
  readonly limitBytes: number;

  constructor(detailType: string, sizeBytes: number, limitBytes: number) {
    super(
      `Event "${detailType}" is ${sizeBytes} bytes as a PutEvents entry; the limit is ${limitBytes} bytes. ` +
        'Store the payload elsewhere (e.g. S3) and publish a reference to it.',
    );
    this.name = 'EventTooLargeError';
    this.detailType = detailType;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** One event that EventBridge did not accept, with the last error it returned. */
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

/**
 * Thrown by `EventPublisher.flush()` when some events were not accepted after the retries allowed.
 * Lists every failed event; the others in the same flush were published (`published`).
 */
export class PublishFailedError extends Error {
  readonly failed: FailedEvent[];
  readonly published: Array<{ sequenceNr: number; eventId: string }>;

  constructor(failed: FailedEvent[], published: Array<{ sequenceNr: number; eventId: string }>) {
    const summary = failed
      .slice(0, 5)
      .map((f) => `#${f.sequenceNr} ${f.detailType}: ${f.errorCode}`)
      .join('; ');
    super(
      `${failed.length} event(s) were not published (${summary}${failed.length > 5 ? '; ...' : ''}); ` +
        `${published.length} were.`,
    );
    this.name = 'PublishFailedError';
    this.failed = failed;
    this.published = published;
  }
}
