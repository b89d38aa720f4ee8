export { DEFAULT_PUBLISH_RETRY_POLICY, fullJitterBackoff, type PublishRetryPolicy } from './backoff.js';
export { type CallFailure, classifyCallError, RETRYABLE_ENTRY_CODES } from './callFailure.js';
export {
  EventPublisher,
  type EventPublisherOptions,
  type FlushOptions,
  type PublishedEvent,
  type PublishOptions,
  type PublishOutcomes,
  type QueuedEvent,
} from './EventPublisher.js';
export { type Envelope, isUuid, MAX_IDEMPOTENCY_KEY_LENGTH, parseEnvelope } from './envelope.js';
export {
  EventTooLargeError,
  type FailedEvent,
  InvalidEnvelopeError,
  PublishFailedError,
  type UnknownEvent,
} from './errors.js';
export { eventEntrySize, type SizedEntry } from './eventEntrySize.js';
export { type EntryOutcome, type SendPutEventsOptions, sendPutEvents } from './sendPutEvents.js';
