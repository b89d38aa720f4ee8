import { MAX_PAYLOAD_BYTES, toBroadcast } from '../src/broadcast/broadcastRequest.js';

describe('Function: toBroadcast()', () => {
  it('returns the JSON payload for an allowed topic, not retained by default', () => {
    // Prepare
    const request = { topic: 'news', message: { headline: 'hello' } };

    // Act
    const broadcast = toBroadcast(request, ['news']);

    // Assess
    expect(broadcast.topic).toBe('news');
    expect(broadcast.retain).toBe(false);
    expect(new TextDecoder().decode(broadcast.payload)).toBe('{"headline":"hello"}');
  });

  it('sends a string message as it is and keeps retain', () => {
    // Prepare
    const request = { topic: 'news', message: 'plain text', retain: true };

    // Act
    const broadcast = toBroadcast(request, ['news']);

    // Assess
    expect(new TextDecoder().decode(broadcast.payload)).toBe('plain text');
    expect(broadcast.retain).toBe(true);
  });

  it.each([
    ['a topic outside the list', { topic: 'updates/user/alice', message: 'x' }, /topic must be one of news/],
    ['a wildcard topic', { topic: '#', message: 'x' }, /topic must be one of/],
    ['no message', { topic: 'news' }, /message is required/],
    ['a non-boolean retain', { topic: 'news', message: 'x', retain: 'yes' }, /retain must be a boolean/],
    ['a payload over 128 KB', { topic: 'news', message: 'x'.repeat(MAX_PAYLOAD_BYTES + 1) }, /at most 131072/],
    ['no object', null, /must be an object/],
  ])('throws for %s', (_name, request, expected) => {
    // Prepare
    const run = () => toBroadcast(request, ['news']);

    // Act & Assess
    expect(run).toThrow(expected);
  });
});
