import { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { ConfigurationError, IotNamespace, listEnv, onFirstUse, requiredEnv } from '@blueprints/common';
import type { Context } from 'aws-lambda';
import { toBroadcast } from '../broadcast/broadcastRequest.js';
import { iotDataClient } from '../dataPlane/iotDataClient.js';

const logger = new Logger();
const IOT_ENDPOINT = requiredEnv('IOT_ENDPOINT');
// Built on the first request, not at init (see onFirstUse).
const iotData = onFirstUse(() => iotDataClient(IOT_ENDPOINT));
const NAMESPACE = IotNamespace.parse(requiredEnv('IOT_NAMESPACE'));
// Names inside the namespace (`news` is published as `<service>/<stage>/news`).
const BROADCAST_TOPICS = listEnv('BROADCAST_TOPICS');
if (BROADCAST_TOPICS.length === 0) throw new ConfigurationError('Environment variable BROADCAST_TOPICS is required');

/** Server-side publish to a broadcast topic (e.g. `news`, sent as `<service>/<stage>/news`) through the IoT data plane, optionally retained. */
export const handler = async (
  event: unknown,
  context?: Context,
): Promise<{ topic: string; retained: boolean; bytes: number }> => {
  if (context) logger.addContext(context);
  const broadcast = toBroadcast(event, BROADCAST_TOPICS);
  const topic = NAMESPACE.topic(broadcast.topic);
  await iotData().send(new PublishCommand({ topic, payload: broadcast.payload, qos: 1, retain: broadcast.retain }));
  logger.info('Broadcast published', { topic, retained: broadcast.retain });
  return { topic, retained: broadcast.retain, bytes: broadcast.payload.byteLength };
};
