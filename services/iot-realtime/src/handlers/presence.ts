import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, IotNamespace, integerEnv, onFirstUse, requiredEnv } from '@blueprints/common';
import type { Context } from 'aws-lambda';
import { PresenceTable } from '../presence/PresenceTable.js';
import { InvalidPresenceEventError, parsePresenceEvent } from '../presence/presenceEvent.js';

const logger = new Logger();
const NAMESPACE = IotNamespace.parse(requiredEnv('IOT_NAMESPACE'));
const settings = {
  tableName: requiredEnv('PRESENCE_TABLE_NAME'),
  connectedTtlSeconds: integerEnv('CONNECTED_TTL_SECONDS', 90_000, { min: 60 }),
  disconnectedTtlSeconds: integerEnv('DISCONNECTED_TTL_SECONDS', 3_600, { min: 60 }),
};
// The client is built on the first event, not at init (see onFirstUse).
const table = onFirstUse(
  () =>
    new PresenceTable({
      // Timeouts from the function's (10 s): a stalled table fails the call in time, so the async retry runs.
      client: new DynamoDBClient(awsClientConfig({ functionTimeoutMs: 10_000 })),
      ...settings,
    }),
);

/**
 * Lifecycle events from the presence rule → the presence table. Invalid events are logged and
 * dropped (a retry cannot fix them); storage errors throw, so the asynchronous invoke retries.
 */
export const handler = async (
  event: unknown,
  context?: Context,
): Promise<{ result: 'applied' | 'stale' | 'invalid' | 'foreign' }> => {
  if (context) logger.addContext(context);
  let presence: ReturnType<typeof parsePresenceEvent>;
  try {
    presence = parsePresenceEvent(event);
  } catch (error) {
    if (!(error instanceof InvalidPresenceEventError)) throw error;
    logger.warn('Invalid lifecycle event dropped', { reason: error.message });
    return { result: 'invalid' };
  }
  // The rule's WHERE already keeps other deployments' clients out; a rule edited without it must not mix them in.
  if (!NAMESPACE.ownsClientId(presence.clientId)) {
    logger.warn('Lifecycle event of another deployment dropped', { clientId: presence.clientId });
    return { result: 'foreign' };
  }
  const result = await table().record(presence);
  logger.info('Presence event', { clientId: presence.clientId, eventType: presence.eventType, result });
  return { result };
};
