/**
 * An SQS error as the JSON protocol reports it: `__type` names the modelled error shape, and the
 * `x-amzn-query-error` header carries the legacy Query error code the SDK maps back onto the same
 * exception class (the SQS client is generated with `awsQueryCompatible`).
 */
export class SqsError extends Error {
  constructor(
    /** `com.amazonaws.sqs#QueueDoesNotExist` */
    readonly type: string,
    /** `AWS.SimpleQueueService.NonExistentQueue` */
    readonly queryCode: string,
    message: string,
    readonly statusCode = 400,
    readonly senderFault = true,
  ) {
    super(message);
    this.name = type.slice(type.indexOf('#') + 1);
  }

  toJSON(): { __type: string; message: string } {
    return { __type: this.type, message: this.message };
  }
}

const sqs = (shape: string) => `com.amazonaws.sqs#${shape}`;
const coral = (shape: string) => `com.amazon.coral.service#${shape}`;

export const queueDoesNotExist = (what: string) =>
  new SqsError(
    sqs('QueueDoesNotExist'),
    'AWS.SimpleQueueService.NonExistentQueue',
    `The specified queue does not exist: ${what}`,
  );

export const invalidParameterValue = (message: string) =>
  new SqsError(coral('InvalidParameterValueException'), 'InvalidParameterValue', message);

export const missingParameter = (name: string) =>
  new SqsError(
    coral('MissingRequiredParameterException'),
    'MissingParameter',
    `The request must contain the parameter ${name}.`,
  );

export const invalidAttributeName = (name: string) =>
  new SqsError(sqs('InvalidAttributeName'), 'InvalidAttributeName', `Unknown Attribute ${name}.`);

export const invalidAttributeValue = (message: string) =>
  new SqsError(sqs('InvalidAttributeValue'), 'InvalidAttributeValue', message);

export const invalidMessageContents = (message: string) =>
  new SqsError(sqs('InvalidMessageContents'), 'InvalidMessageContents', message);

export const queueNameExists = (name: string) =>
  new SqsError(
    sqs('QueueNameExists'),
    'QueueAlreadyExists',
    `A queue already exists with the same name (${name}) and a different value for an attribute.`,
  );

export const receiptHandleIsInvalid = (handle: string) =>
  new SqsError(
    sqs('ReceiptHandleIsInvalid'),
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
    404,
  );

export const messageNotInflight = () =>
  new SqsError(
    sqs('MessageNotInflight'),
    'AWS.SimpleQueueService.MessageNotInflight',
    'The message referred to is not in flight.',
  );

export const emptyBatchRequest = (entry: string) =>
  new SqsError(
    sqs('EmptyBatchRequest'),
    'AWS.SimpleQueueService.EmptyBatchRequest',
    `There should be at least one ${entry} in the request.`,
  );

export const tooManyEntriesInBatchRequest = (count: number) =>
  new SqsError(
    sqs('TooManyEntriesInBatchRequest'),
    'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    `Maximum number of entries per request are 10. You have sent ${count}.`,
  );

export const batchEntryIdsNotDistinct = (id: string) =>
  new SqsError(
    sqs('BatchEntryIdsNotDistinct'),
    'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    `Id ${id} repeated.`,
  );

export const invalidBatchEntryId = () =>
  new SqsError(
    sqs('InvalidBatchEntryId'),
    'AWS.SimpleQueueService.InvalidBatchEntryId',
    'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
  );

export const batchRequestTooLong = (bytes: number, limit: number) =>
  new SqsError(
    sqs('BatchRequestTooLong'),
    'AWS.SimpleQueueService.BatchRequestTooLong',
    `Batch requests cannot be longer than ${limit} bytes. You have sent ${bytes} bytes.`,
  );

export const unsupportedOperation = (message: string) =>
  new SqsError(sqs('UnsupportedOperation'), 'AWS.SimpleQueueService.UnsupportedOperation', message);

export const unknownOperation = (target: string) =>
  new SqsError(coral('UnknownOperationException'), 'InvalidAction', `Unknown operation ${target}.`);

export const serializationError = (message: string) =>
  new SqsError(coral('SerializationException'), 'MalformedInput', message);

/** A request body larger than any valid request can be (answered while it is still arriving). */
export const requestEntityTooLarge = (limit: number) =>
  new SqsError(
    coral('RequestEntityTooLargeException'),
    'RequestEntityTooLarge',
    `Request body is larger than ${limit} bytes.`,
    413,
  );
