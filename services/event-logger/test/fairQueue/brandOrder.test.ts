import { InvalidEnvelopeError } from '@blueprints/common';
import { receiveBrandOrder, TenantMismatchError } from '../../src/fairQueue/brandOrder.js';
import { MalformedEventError } from '../../src/storage/storedEvent.js';
import { eventBridgeEventOf, sqsRecord, storedEventFactory } from '../helpers/factories.js';

describe('Function: receiveBrandOrder()', () => {
  it('returns the brand, its message group and the time the message waited', () => {
    // Prepare
    const event = storedEventFactory({ context: { brand: 'B', orderId: 'o-9' }, createdAt: 1_000 });
    const record = sqsRecord(eventBridgeEventOf(event), { MessageGroupId: 'B', SentTimestamp: '1500' });

    // Act
    const receipt = receiveBrandOrder(record, 1_750);

    // Assess
    expect(receipt).toEqual({
      brand: 'B',
      eventId: event.id,
      detailType: 'order.placed',
      correlationId: event.correlationId,
      sequenceNr: 1,
      messageGroupId: 'B',
      queueWaitMs: 250,
      endToEndMs: 750,
    });
  });

  it('throws TenantMismatchError when the message group is not the envelope brand', () => {
    // Prepare
    const record = sqsRecord(eventBridgeEventOf(storedEventFactory()), { MessageGroupId: 'B' });

    // Act
    const act = () => receiveBrandOrder(record);

    // Assess
    expect(act).toThrow(TenantMismatchError);
  });

  it('throws when the envelope has no brand or is malformed', () => {
    // Prepare
    const noBrand = sqsRecord(eventBridgeEventOf(storedEventFactory({ context: {} })));
    const badEnvelope = sqsRecord({ ...eventBridgeEventOf(storedEventFactory()), detail: { sequenceNr: 1 } });

    // Act & Assess
    expect(() => receiveBrandOrder(noBrand)).toThrow(MalformedEventError);
    expect(() => receiveBrandOrder(badEnvelope)).toThrow(InvalidEnvelopeError);
  });
});
