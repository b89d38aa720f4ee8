/** An IoT Core lifecycle event (`$aws/events/presence/{connected|disconnected}/<clientId>`). */
export interface PresenceEvent {
  clientId: string;
  eventType: 'connected' | 'disconnected';
  /** Epoch milliseconds at which IoT Core saw the event. */
  timestamp: number;
  sessionIdentifier?: string;
  principalIdentifier?: string;
  disconnectReason?: string;
}

export class InvalidPresenceEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPresenceEventError';
  }
}

const optionalString = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value !== '' ? value.slice(0, max) : undefined;

/**
 * Validates a lifecycle event as the presence rule delivers it (`SELECT * FROM '$aws/events/presence/+/+'`).
 *
 * @example
 * parsePresenceEvent({ clientId: 'user-1', eventType: 'connected', timestamp: 1767225600000 });
 */
export function parsePresenceEvent(value: unknown): PresenceEvent {
  if (value === null || typeof value !== 'object') throw new InvalidPresenceEventError('event is not an object');
  const e = value as Record<string, unknown>;
  if (typeof e.clientId !== 'string' || e.clientId === '' || Buffer.byteLength(e.clientId) > 128) {
    throw new InvalidPresenceEventError('clientId must be a string of 1 to 128 bytes');
  }
  if (e.eventType !== 'connected' && e.eventType !== 'disconnected') {
    throw new InvalidPresenceEventError(
      `eventType must be "connected" or "disconnected", got ${JSON.stringify(e.eventType)}`,
    );
  }
  if (typeof e.timestamp !== 'number' || !Number.isSafeInteger(e.timestamp) || e.timestamp <= 0) {
    throw new InvalidPresenceEventError('timestamp must be epoch milliseconds');
  }
  const sessionIdentifier = optionalString(e.sessionIdentifier, 128);
  const principalIdentifier = optionalString(e.principalIdentifier, 256);
  const disconnectReason = optionalString(e.disconnectReason, 64);
  return {
    clientId: e.clientId,
    eventType: e.eventType,
    timestamp: e.timestamp,
    ...(sessionIdentifier ? { sessionIdentifier } : {}),
    ...(principalIdentifier ? { principalIdentifier } : {}),
    ...(disconnectReason ? { disconnectReason } : {}),
  };
}
