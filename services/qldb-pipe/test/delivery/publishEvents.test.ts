import type { PutEventsCommand, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import {
  chunkForPutEvents,
  type LabelledEntry,
  MAX_PUT_BYTES,
  publishEvents,
  putEventsEntrySize,
} from '../../src/delivery/publishEvents.js';
import { EventTooLargeForBusError, PublishEventsError } from '../../src/errors.js';

const entry = (i: number, detailBytes = 20): LabelledEntry => ({
  label: `event ${i}`,
  entry: {
    EventBusName: 'bus',
    Source: 'qldb',
    DetailType: 'REVISION_DETAILS',
    Detail: JSON.stringify({ i, pad: 'x'.repeat(detailBytes) }),
  },
});

/** A PutEvents client that answers each entry with what `answer` says (failure injection). */
function scriptedClient(answer: (detail: string, call: number) => PutEventsResultEntry) {
  const calls: string[][] = [];
  return {
    calls,
    send: async (command: PutEventsCommand) => {
      const details = (command.input.Entries ?? []).map((e) => e.Detail ?? '');
      calls.push(details);
      const results = details.map((d) => answer(d, calls.length));
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    },
  };
}

describe('Function: chunkForPutEvents()', () => {
  it('splits 50 entries into 5 requests of 10', () => {
    // Prepare
    const entries = Array.from({ length: 50 }, (_, i) => entry(i));

    // Act
    const chunks = chunkForPutEvents(entries);

    // Assess
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 10, 10, 10]);
    expect(chunks.flat()).toEqual(entries);
  });

  it('starts a new request before 256 KB is exceeded', () => {
    // Prepare
    const entries = Array.from({ length: 4 }, (_, i) => entry(i, 100_000));

    // Act
    const chunks = chunkForPutEvents(entries);

    // Assess
    expect(chunks.map((c) => c.length)).toEqual([2, 2]);
    for (const chunk of chunks) {
      expect(chunk.reduce((sum, c) => sum + putEventsEntrySize(c.entry), 0)).toBeLessThanOrEqual(MAX_PUT_BYTES);
    }
  });

  it('refuses an entry that can never fit, naming it', () => {
    // Prepare
    const entries = [entry(0), entry(1, 300_000)];

    // Act & Assess
    expect(() => chunkForPutEvents(entries)).toThrow(EventTooLargeForBusError);
    expect(() => chunkForPutEvents(entries)).toThrow(/^event 1: the event is \d+ bytes/);
  });
});

describe('Function: putEventsEntrySize()', () => {
  it('counts 14 bytes for Time plus the UTF-8 bytes of Source, DetailType, Detail and Resources', () => {
    // Act
    const size = putEventsEntrySize({ Source: 'qldb', DetailType: 'CONTROL', Detail: '{"é":1}', Resources: ['arn:x'] });

    // Assess
    expect(size).toBe(14 + 4 + 7 + 8 + 5);
  });
});

describe('Function: publishEvents()', () => {
  it('publishes 25 events in 3 requests', async () => {
    // Prepare
    const client = scriptedClient(() => ({ EventId: 'id' }));

    // Act
    const { requests } = await publishEvents(
      client,
      Array.from({ length: 25 }, (_, i) => entry(i)),
    );

    // Assess
    expect(requests).toBe(3);
    expect(client.calls.map((c) => c.length)).toEqual([10, 10, 5]);
  });

  it('retries only the entries that failed with a retryable error', async () => {
    // Prepare
    const client = scriptedClient((detail, call) =>
      call === 1 && JSON.parse(detail).i % 3 === 0
        ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }
        : { EventId: 'id' },
    );

    // Act
    await publishEvents(
      client,
      Array.from({ length: 10 }, (_, i) => entry(i)),
      { sleep: async () => undefined },
    );

    // Assess
    expect(client.calls).toHaveLength(2);
    expect(client.calls[1]?.map((d) => JSON.parse(d).i)).toEqual([0, 3, 6, 9]);
  });

  it('throws PublishEventsError naming the entries rejected for good', async () => {
    // Prepare
    const client = scriptedClient((detail) =>
      JSON.parse(detail).i === 2 ? { ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' } : { EventId: 'id' },
    );

    // Act
    const publishing = publishEvents(
      client,
      Array.from({ length: 3 }, (_, i) => entry(i)),
      { sleep: async () => undefined },
    );

    // Assess
    await expect(publishing).rejects.toThrow(PublishEventsError);
    await expect(publishEvents(client, [entry(2)], { sleep: async () => undefined })).rejects.toThrow(
      'EventBridge rejected 1 event(s): event 2: MalformedDetail bad',
    );
  });

  it('gives up on a retryable error after maxAttempts', async () => {
    // Prepare
    const client = scriptedClient(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'oops' }));

    // Act
    const publishing = publishEvents(client, [entry(7)], { maxAttempts: 3, sleep: async () => undefined });

    // Assess
    await expect(publishing).rejects.toThrow('event 7: InternalFailure oops');
    expect(client.calls).toHaveLength(3);
  });
});
