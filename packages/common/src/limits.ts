/**
 * Payload limits of the AWS services these blueprints connect, in bytes, each with the AWS page it comes
 * from. Every publisher and every local stand-in reads its limit here, so a change at AWS is one edit.
 *
 * ## Limits
 *
 * On 2026-01-29 AWS raised the payload limit from 256 KB to 1 MB for EventBridge event buses, SQS
 * messages and asynchronous Lambda invocations (AWS Compute Blog, "More room to build: serverless
 * services now support payloads up to 1 MB",
 * https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb).
 * The "256 KB" of the old pages was 256 × 1024 bytes; the new "1 MB" is read the same way: 1,048,576 bytes
 * (the SQS announcement says "1 MiB", the SQS `MaximumMessageSize` attribute tops out at 1,048,576).
 *
 * A hop is only as large as its smallest link: an event that fits EventBridge (1 MiB) does not fit an
 * IoT Core message (128 KB) or a DynamoDB item (400 KB), and the event EventBridge delivers to a target
 * is larger than the PutEvents entry (it adds `id`, `time`, `account`, ... around `detail`).
 *
 * ## When the claim-check pattern is still the better choice
 *
 * Put the payload in S3 and publish a pointer to it (bucket, key, version, size, checksum) when:
 * - the payload can grow past the smallest limit on its way (a DynamoDB item, an IoT message, a Firehose
 *   record), or past 1 MiB at all;
 * - many consumers only need a few fields: every rule target, retry and DLQ copy carries the full event,
 *   and each consumer pays to parse it (memory and time in every Lambda that receives it);
 * - the payload is sensitive: a pointer can be guarded by its own IAM policy, KMS key and lifecycle,
 *   while an event body lands in every target, DLQ, archive and log that sees it;
 * - the data must outlive the event (EventBridge archives, DLQs and queues keep messages for days only).
 * Otherwise keep the event self-contained: one fewer hop, one fewer failure mode, no orphaned objects.
 *
 * @module
 */

/**
 * Largest PutEvents entry, counted with `eventEntrySize` (Time 14 bytes when set, plus the UTF-8 bytes of
 * Source, DetailType, Detail and each Resource).
 * Source: Amazon EventBridge User Guide, "Calculating Amazon EventBridge PutEvents event entry size"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html) for the counting rule;
 * the 1 MB figure from the AWS Compute Blog post of 2026-01-29 above.
 */
export const PUT_EVENTS_MAX_ENTRY_BYTES = 1_048_576;

/**
 * Largest PutEvents request: the sum of `eventEntrySize` over its entries. The entry-size page states the
 * limit on "the total entry size" of a request, so the request limit equals the entry limit: one entry at
 * the limit travels alone. (If AWS accepted more per request, batching by this figure only costs calls.)
 * Source: "Calculating Amazon EventBridge PutEvents event entry size" (see above).
 */
export const PUT_EVENTS_MAX_REQUEST_BYTES = 1_048_576;

/**
 * Entries per PutEvents call.
 * Source: Amazon EventBridge API Reference, "PutEvents" (Entries: minimum 1, maximum 10 items),
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
export const PUT_EVENTS_MAX_ENTRIES = 10;

/**
 * Largest SQS message: body plus message attributes (names, types and values).
 * Source: Amazon SQS Developer Guide, "Amazon SQS message quotas" (1 MiB since 2026; the
 * `MaximumMessageSize` queue attribute ranges 1,024 to 1,048,576 bytes).
 */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/**
 * Smallest `MaximumMessageSize` a queue may be given.
 * Source: Amazon SQS API Reference, "SetQueueAttributes" (MaximumMessageSize).
 */
export const SQS_MIN_MAXIMUM_MESSAGE_SIZE = 1_024;

/**
 * Entries per SendMessageBatch / DeleteMessageBatch / ChangeMessageVisibilityBatch call.
 * Source: Amazon SQS API Reference, "SendMessageBatch".
 */
export const SQS_MAX_BATCH_ENTRIES = 10;

/**
 * Largest SendMessageBatch: the sum of its messages' sizes equals the single-message limit.
 * Source: Amazon SQS API Reference, "SendMessageBatch" (the total payload of a batch, the sum of its
 * messages' lengths, is capped at the same figure as one message).
 */
export const SQS_MAX_BATCH_BYTES = 1_048_576;

/**
 * Largest event for an asynchronous Lambda invocation (`InvocationType: Event`, and what EventBridge or
 * S3 hand to a function).
 * Source: AWS Lambda API Reference, "Invoke" ("For asynchronous invocations, the maximum payload size is
 * 1 MB"), https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html
 */
export const LAMBDA_MAX_ASYNC_PAYLOAD_BYTES = 1_048_576;

/**
 * Largest request or response of a synchronous Lambda invocation.
 * Source: AWS Lambda API Reference, "Invoke" ("For synchronous invocations, the maximum payload size is
 * 6 MB").
 */
export const LAMBDA_MAX_SYNC_PAYLOAD_BYTES = 6 * 1_048_576;

/**
 * Largest response an EventBridge Pipes enrichment may return (Pipes invokes the enrichment
 * synchronously).
 * Source: Amazon EventBridge User Guide, "Event enrichment in Amazon EventBridge Pipes" ("Enrichment
 * responses are limited to a maximum size of 6MB"),
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/pipes-enrichment.html
 */
export const PIPES_MAX_ENRICHMENT_RESPONSE_BYTES = 6 * 1_048_576;

/**
 * Events a pipe hands an event-bus target in one call: the target is a PutEvents call, so an enrichment
 * that returns more than this many events makes Pipes skip the target for the whole batch.
 * Source: as {@link PUT_EVENTS_MAX_ENTRIES}; Amazon EventBridge User Guide, "Amazon EventBridge Pipes
 * batching and concurrency".
 */
export const PIPES_EVENT_BUS_TARGET_MAX_EVENTS = PUT_EVENTS_MAX_ENTRIES;

/**
 * Largest MQTT message payload IoT Core accepts.
 * Source: AWS General Reference, "AWS IoT Core endpoints and quotas" (message broker: payload 128 KB).
 */
export const IOT_MAX_MESSAGE_BYTES = 128 * 1024;

/**
 * Largest Firehose record, before base64 encoding.
 * Source: Amazon Data Firehose API Reference, "Record" ("The maximum size of the data blob, before
 * base64-encoding, is 1,000 KiB"; length constraint 1024000),
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_Record.html
 */
export const FIREHOSE_MAX_RECORD_BYTES = 1_024_000;

/**
 * Largest DynamoDB item, attribute names included (UTF-8 bytes of names and values).
 * Source: Amazon DynamoDB Developer Guide, "Quotas in Amazon DynamoDB" (item size 400 KB).
 */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;
