export * from './backoff.js';
export * from './EventPublisher.js';
export * from './envelope.js';
export * from './errors.js';
export * from './eventEntrySize.js';
