export { SqsError } from './errors.js';
export type { QueueMessage, RedrivePolicy, SendResult } from './LocalQueue.js';
export { LocalQueue, parseRedrivePolicy } from './LocalQueue.js';
export type {
  LocalQueueInfo,
  LocalSqsOptions,
  ReceiveMessagesOptions,
  SendMessageOptions,
  SqsMessageListener,
} from './LocalSqs.js';
export { LocalSqs, queueNameOf, SQS_MAX_BODY_BYTES, systemAttributesOf } from './LocalSqs.js';
export type { SqsMessageAttributes, SqsMessageAttributeValue } from './messageAttributes.js';
export { md5OfMessageAttributes } from './messageAttributes.js';
export type {
  QueueTriggerInvocation,
  QueueTriggerMapping,
  QueueTriggerOptions,
  QueueTriggerOutcome,
  QueueTriggers,
} from './queueTriggers.js';
export {
  batchItemFailuresOf,
  QueueTriggerBatchFailureError,
  queueTriggerMappingsFromTemplate,
  startQueueTriggers,
  toSqsRecord,
} from './queueTriggers.js';
