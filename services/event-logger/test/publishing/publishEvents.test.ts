import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventPublisher } from '@blueprints/common';
import { type EventBridgeEvent, LocalEventBridge } from '@blueprints/local-eventbridge';
import { HttpError } from '../../src/http/responses.js';
import { correlationIdFromHeaders, publishEvents } from '../../src/publishing/publishEvents.js';
import { ACCOUNT_ID, REGION } from '../helpers/factories.js';
import { LOCAL_CREDENTIALS } from '../helpers/localTable.js';

describe('Function: publishEvents()', () => {
  let bus: LocalEventBridge;
  let client: EventBridgeClient;
  const seen: EventBridgeEvent[] = [];

  beforeAll(async () => {
    bus = await LocalEventBridge.start({ region: REGION, accountId: ACCOUNT_ID });
    bus.addEventBus('orders');
    bus.onEvent((event) => seen.push(event));
    client = new EventBridgeClient({ endpoint: bus.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
  });

  afterAll(async () => {
    client.destroy();
    await bus.close();
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('publishes the events under one correlationId and returns their ids in request order', async () => {
    // Prepare
    const publisher = new EventPublisher({ client, eventBusName: 'orders', source: 'test' });

    // Act
    const result = await publishEvents(publisher, [
      { detailType: 'order.placed', context: { brand: 'A' }, persist: true },
      { detailType: 'cart.viewed', context: {}, persist: false, idempotencyKey: 'cart-1' },
    ]);

    // Assess
    expect(result.correlationId).toBe(publisher.correlationId);
    expect(result.events.map((e) => [e.sequenceNr, e.detailType, e.idempotencyKey])).toEqual([
      [1, 'order.placed', `${publisher.correlationId}:1`],
      [2, 'cart.viewed', 'cart-1'],
    ]);
    expect(seen.map((e) => e.id)).toEqual(result.events.map((e) => e.eventId));
  });

  it('answers 413 naming the event when one is too large, sending none of the request', async () => {
    // Prepare
    const publisher = new EventPublisher({ client, eventBusName: 'orders', source: 'test' });

    // Act
    const error = await publishEvents(publisher, [
      { detailType: 'order.placed', context: { brand: 'A' }, persist: true },
      { detailType: 'blob.stored', context: { blob: 'x'.repeat(1024 * 1024) }, persist: false },
    ]).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(413);
    expect((error as HttpError).message).toBe('Event 1 is too large for EventBridge');
    await bus.idle();
    expect(seen).toHaveLength(0);
  });
});

describe('Function: correlationIdFromHeaders()', () => {
  it('returns the lower-cased x-correlation-id, or undefined without one', () => {
    // Act & Assess
    expect(correlationIdFromHeaders({ 'x-correlation-id': '6F1D2C3B-4A5E-4F60-8A7B-9C0D1E2F3A4B' })).toBe(
      '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
    );
    expect(correlationIdFromHeaders({})).toBeUndefined();
  });

  it('throws a 400 for a header that is not a UUID', () => {
    // Act
    const act = () => correlationIdFromHeaders({ 'x-correlation-id': 'req-1' });

    // Assess
    expect(act).toThrow(HttpError);
    expect(act).toThrow('Invalid request');
  });
});
