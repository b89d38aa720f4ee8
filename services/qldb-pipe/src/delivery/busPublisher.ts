import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { type Deadline, eventEntrySize, PUT_EVENTS_MAX_ENTRY_BYTES, sendPutEvents } from '@blueprints/common';
import type { EnvelopeToPublish, PublishEnvelopes, PublishOutcome } from '../enrichment/enrichBatch.js';

/** How QLDB events are addressed on the bus. */
export interface BusAddress {
  eventBusName: string;
  /** `source` of every event, e.g. `qldb`. */
  source: string;
}

/** One PutEvents entry per event: `source` from the configuration, `detail-type` the record type, `detail` the envelope. */
export function toPutEventsEntry(event: EnvelopeToPublish, address: BusAddress): PutEventsRequestEntry {
  return {
    EventBusName: address.eventBusName,
    Source: address.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.envelope),
  };
}

/**
 * Publishes QLDB events through the shared PutEvents sender (`sendPutEvents` in `@blueprints/common`:
 * request limits, retries of retryable entries, the invocation's deadline) and sorts each event into
 * published / failed / unknown by its idempotency key. An event larger than a PutEvents entry may be
 * is not sent and counts as failed (`EventTooLarge`), so its record ends in the dead-letter queue
 * instead of holding back the rest of the batch.
 *
 * @example
 * const publish = busPublisher(client, { eventBusName: 'qldb-pipe-dev', source: 'qldb' }, { deadline, maxAttempts: 4 });
 * const outcome = await publish(events);
 */
export function busPublisher(
  client: Pick<EventBridgeClient, 'send'>,
  address: BusAddress,
  options: { deadline: Deadline; maxAttempts: number },
): PublishEnvelopes {
  return async (events) => {
    const outcome: PublishOutcome = { published: [], failed: [], unknown: [] };
    const sendable: Array<{ key: string; entry: PutEventsRequestEntry }> = [];
    for (const event of events) {
      const entry = toPutEventsEntry(event, address);
      const size = eventEntrySize(entry);
      const key = event.envelope.idempotencyKey;
      if (size > PUT_EVENTS_MAX_ENTRY_BYTES) {
        outcome.failed.push({
          idempotencyKey: key,
          errorCode: 'EventTooLarge',
          errorMessage: `the event is ${size} bytes as a PutEvents entry; EventBridge accepts at most ${PUT_EVENTS_MAX_ENTRY_BYTES}`,
        });
      } else sendable.push({ key, entry });
    }
    const results = await sendPutEvents(
      client,
      sendable.map((s) => s.entry),
      { deadline: options.deadline, retry: { maxAttempts: options.maxAttempts } },
    );
    results.forEach((result, i) => {
      const key = (sendable[i] as { key: string }).key;
      if (result.status === 'published') outcome.published.push(key);
      else
        outcome[result.status].push({
          idempotencyKey: key,
          errorCode: result.errorCode,
          errorMessage: result.errorMessage,
        });
    });
    return outcome;
  };
}
