/** What `broadcast` is invoked with: `osls invoke -f broadcast -d '{"topic":"news","message":{"text":"hi"}}'`. */
export interface BroadcastRequest {
  topic: string;
  /** Any JSON value; a string is sent as is, anything else as JSON. */
  message: unknown;
  /** Keep it as the topic's retained message, so clients that subscribe later get it at once. */
  retain?: boolean;
}

/** A validated publish. */
export interface Broadcast {
  topic: string;
  payload: Uint8Array;
  retain: boolean;
}

export class InvalidBroadcastError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidBroadcastError';
  }
}

/** IoT Core's payload limit. */
export const MAX_PAYLOAD_BYTES = 128 * 1024;

/**
 * Validates a broadcast request against the topics this function may publish to (the same list its
 * role allows, so a bad request fails with a clear message instead of an access denied).
 *
 * @example
 * toBroadcast({ topic: 'news', message: { text: 'hello' } }, ['news']);
 */
export function toBroadcast(request: unknown, allowedTopics: string[]): Broadcast {
  if (request === null || typeof request !== 'object') throw new InvalidBroadcastError('request must be an object');
  const r = request as Record<string, unknown>;
  if (typeof r.topic !== 'string' || !allowedTopics.includes(r.topic)) {
    throw new InvalidBroadcastError(`topic must be one of ${allowedTopics.join(', ')}`);
  }
  if (r.message === undefined) throw new InvalidBroadcastError('message is required');
  if (r.retain !== undefined && typeof r.retain !== 'boolean')
    throw new InvalidBroadcastError('retain must be a boolean');
  const payload = new TextEncoder().encode(typeof r.message === 'string' ? r.message : JSON.stringify(r.message));
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    throw new InvalidBroadcastError(
      `message is ${payload.byteLength} bytes; IoT Core accepts at most ${MAX_PAYLOAD_BYTES}`,
    );
  }
  return { topic: r.topic, payload, retain: r.retain === true };
}
