// The Server-Sent Events stream of the dev server's activity, and what it says about the server:
// live while the stream is open, disconnected from the moment it drops until it opens again.

/**
 * Opens `/api/stream` and keeps it open. `onOpen` runs each time it (re)opens, before the server
 * replays its recent history; `onState` gets `live` or `disconnected`.
 */
export function connectActivityStream({ onActivity, onOpen, onState }) {
  let source;
  const open = () => {
    source = new EventSource('/api/stream');
    source.addEventListener('open', () => {
      onOpen();
      onState('live');
    });
    source.addEventListener('message', (message) => onActivity(JSON.parse(message.data)));
    source.addEventListener('error', () => {
      onState('disconnected');
      // The browser retries a dropped stream by itself, but gives up on an answer that is not a
      // stream (e.g. a 502 from something else now on the port): then try again ourselves.
      if (source.readyState === EventSource.CLOSED) setTimeout(open, 2000);
    });
  };
  open();
}
