import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { eventEntrySize, PUT_EVENTS_MAX_ENTRY_BYTES, PUT_EVENTS_MAX_REQUEST_BYTES } from '@blueprints/common';
import { awsJsonHeaders, postOversizedBody, rawPost } from '@blueprints/fault-injection';
import { LocalEventBridge, PUT_EVENTS_MAX_BODY_BYTES } from '../src/LocalEventBridge.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** An entry whose `eventEntrySize` (common's, the one the bus uses) is exactly `bytes`. */
function entryOfSize(bytes: number, overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry {
  const skeleton = { Source: 'blueprints.test', DetailType: 'blob.stored', ...overrides };
  const fill = bytes - eventEntrySize({ ...skeleton, Detail: '{"p":""}' });
  return { ...skeleton, Detail: JSON.stringify({ p: 'x'.repeat(fill) }) };
}

describe('Class: LocalEventBridge (limits and malformed input)', () => {
  let bus: LocalEventBridge;
  let client: EventBridgeClient;

  beforeAll(async () => {
    bus = await LocalEventBridge.start();
    client = new EventBridgeClient({ endpoint: bus.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await bus.close();
  });

  describe('Limits from @blueprints/common', () => {
    it('accepts an entry of exactly PUT_EVENTS_MAX_ENTRY_BYTES and refuses one byte more with a ValidationException', async () => {
      // Prepare
      const atLimit = entryOfSize(PUT_EVENTS_MAX_ENTRY_BYTES);
      const overLimit = entryOfSize(PUT_EVENTS_MAX_ENTRY_BYTES + 1);

      // Act
      const accepted = await client.send(new PutEventsCommand({ Entries: [atLimit] }));
      const refused = client.send(new PutEventsCommand({ Entries: [overLimit] }));

      // Assess
      expect(eventEntrySize(atLimit)).toBe(1_048_576);
      expect(accepted.FailedEntryCount).toBe(0);
      await expect(refused).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('1048577 bytes'),
      });
    });

    it('counts 14 bytes for a Time, so a timed entry at the limit has 14 bytes less detail', async () => {
      // Prepare
      const time = new Date('2026-12-01T00:00:00Z');
      const atLimit = { ...entryOfSize(PUT_EVENTS_MAX_ENTRY_BYTES - 14), Time: time };
      const overLimit = { ...entryOfSize(PUT_EVENTS_MAX_ENTRY_BYTES - 13), Time: time };

      // Act
      const accepted = await client.send(new PutEventsCommand({ Entries: [atLimit] }));
      const refused = client.send(new PutEventsCommand({ Entries: [overLimit] }));

      // Assess
      expect(accepted.FailedEntryCount).toBe(0);
      await expect(refused).rejects.toMatchObject({ name: 'ValidationException' });
    });

    it('accepts entries adding up to exactly PUT_EVENTS_MAX_REQUEST_BYTES and refuses one byte more', async () => {
      // Prepare
      const half = PUT_EVENTS_MAX_REQUEST_BYTES / 2;
      const exact = [entryOfSize(half), entryOfSize(half)];
      const over = [entryOfSize(half), entryOfSize(half + 1)];

      // Act
      const accepted = await client.send(new PutEventsCommand({ Entries: exact }));
      const refused = client.send(new PutEventsCommand({ Entries: over }));

      // Assess
      expect(accepted.FailedEntryCount).toBe(0);
      await expect(refused).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('Total size of the entries in the request is over the limit'),
      });
    });

    it('answers a 10 MB body with a 413 before the body has ended, and keeps serving', async () => {
      // Prepare: a client that sends 7 MiB of a 10 MB body, then waits for an answer before sending the rest
      const headers = awsJsonHeaders('AWSEvents.PutEvents', '1.1');

      // Act
      const answer = await postOversizedBody(bus.endpoint, headers, {
        totalBytes: 10_000_000,
        sentBeforeAnswer: 7 * 1_048_576,
      });
      const after = await client.send(new PutEventsCommand({ Entries: [entryOfSize(100)] }));

      // Assess
      expect(answer.status).toBe(413);
      expect(answer.body).toEqual({
        __type: 'RequestEntityTooLargeException',
        message: expect.stringContaining(`larger than ${PUT_EVENTS_MAX_BODY_BYTES} bytes`),
      });
      expect(PUT_EVENTS_MAX_BODY_BYTES).toBeLessThan(7 * 1_048_576);
      expect(after.FailedEntryCount).toBe(0);
    });
  });

  describe('Malformed input', () => {
    it.each([
      ['a body that is not JSON', 'AWSEvents.PutEvents', '{"Entries": [', 'SerializationException'],
      ['a JSON array body', 'AWSEvents.PutEvents', '[]', 'SerializationException'],
      ['a JSON null body', 'AWSEvents.PutEvents', 'null', 'SerializationException'],
      ['no Entries', 'AWSEvents.PutEvents', '{}', 'ValidationException'],
      ['Entries that is a string', 'AWSEvents.PutEvents', '{"Entries":"x"}', 'SerializationException'],
      ['a null entry', 'AWSEvents.PutEvents', '{"Entries":[null]}', 'SerializationException'],
      ['an entry that is a number', 'AWSEvents.PutEvents', '{"Entries":[5]}', 'SerializationException'],
      [
        'a Source that is a number',
        'AWSEvents.PutEvents',
        '{"Entries":[{"Source":5,"DetailType":"x","Detail":"{}"}]}',
        'SerializationException',
      ],
      [
        'Resources that is a string',
        'AWSEvents.PutEvents',
        '{"Entries":[{"Source":"a","DetailType":"x","Detail":"{}","Resources":"arn:x"}]}',
        'SerializationException',
      ],
      [
        'an EventBusName that is an object',
        'AWSEvents.PutEvents',
        '{"Entries":[{"Source":"a","DetailType":"x","Detail":"{}","EventBusName":{}}]}',
        'SerializationException',
      ],
      [
        'a TestEventPattern event that is not JSON',
        'AWSEvents.TestEventPattern',
        '{"EventPattern":"{}","Event":"{nope"}',
        'ValidationException',
      ],
      ['a DescribeEventBus name that is a list', 'AWSEvents.DescribeEventBus', '{"Name":[]}', 'SerializationException'],
      ['an unknown operation', 'AWSEvents.DeleteEverything', '{}', 'UnknownOperationException'],
    ])('answers %s with an AWS-shaped 400 (%s)', async (_what, target, body, type) => {
      // Act
      const answer = await rawPost(bus.endpoint, awsJsonHeaders(target, '1.1'), body);

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ __type: type, message: expect.any(String) });
      expect(answer.text).not.toMatch(/TypeError|SyntaxError|Cannot read|undefined|\bat .*\.(ts|js):\d+/);
    });
  });
});
