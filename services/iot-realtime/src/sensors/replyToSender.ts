import type { IotNamespace } from '@blueprints/common';
import type { SQSRecord } from 'aws-lambda';
import { parseSensorMessage, processSensorMessage } from './sensorReading.js';

/** Publishes a JSON message to an IoT topic (the data plane in Lambda, a fake only in failure tests). */
export type PublishToTopic = (topic: string, payload: string) => Promise<void>;

/**
 * The per-record work of `sensorConsumer`: parse the rule's output, process the reading, publish it
 * to the sender's own topic. A throw marks only this record as failed (retried, then dead-lettered).
 *
 * @example
 * const handleRecord = replyToSender({ publish, namespace: IotNamespace.parse('iot-realtime/dev') });
 * await handleRecord(sqsRecord);
 */
export function replyToSender(deps: { publish: PublishToTopic; namespace: IotNamespace; now?: () => Date }) {
  return async (record: SQSRecord): Promise<{ topic: string }> => {
    const message = parseSensorMessage(record.body);
    const { topic, reading } = processSensorMessage(message, deps.now?.() ?? new Date(), deps.namespace);
    await deps.publish(topic, JSON.stringify(reading));
    return { topic };
  };
}
