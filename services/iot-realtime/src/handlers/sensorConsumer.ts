import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { IotNamespace, onFirstUse, requiredEnv } from '@blueprints/common';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { iotDataClient } from '../dataPlane/iotDataClient.js';
import { replyToSender } from '../sensors/replyToSender.js';

const logger = new Logger();
const IOT_ENDPOINT = requiredEnv('IOT_ENDPOINT');
// Built on the first record, not at init (see onFirstUse).
const iotData = onFirstUse(() => iotDataClient(IOT_ENDPOINT));
const processor = new BatchProcessor(EventType.SQS);

const handleRecord = replyToSender({
  namespace: IotNamespace.parse(requiredEnv('IOT_NAMESPACE')),
  publish: async (topic, payload) => {
    await iotData().send(new PublishCommand({ topic, qos: 1, payload: new TextEncoder().encode(payload) }));
  },
});

/** Sensor readings from the sensor rule's queue → processed → published to the sender's `<service>/<stage>/updates/user/<sub>`. */
export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  if (context) logger.addContext(context);
  return processPartialResponse(
    event,
    async (record: SQSEvent['Records'][number]) => {
      try {
        const { topic } = await handleRecord(record);
        logger.info('Reading published', { messageId: record.messageId, topic });
      } catch (error) {
        logger.warn('Reading failed', { messageId: record.messageId, error: error as Error });
        throw error;
      }
    },
    processor,
    { ...(context ? { context } : {}), throwOnFullBatchFailure: false },
  );
};
