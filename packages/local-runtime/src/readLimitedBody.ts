import type { IncomingMessage } from 'node:http';

/** The body of a request, or the news that it is larger than the stand-in accepts. */
export type LimitedBody = { tooLarge: false; body: Buffer } | { tooLarge: true; bytesRead: number };

/** Bytes of an oversized body a stand-in reads and throws away after answering, before it hangs up. */
const MAX_DISCARDED_BYTES = 64 * 1_048_576;

/**
 * The largest JSON body that can carry `payloadBytes` of string content: JSON escapes a control
 * character as `\u00XX` (6 bytes for 1), plus `slackBytes` for names, keys and punctuation. A stand-in
 * refuses bodies above this while reading them; what is below is parsed and checked against the exact
 * AWS limit, so the stand-in accepts everything AWS accepts.
 *
 * @example
 * maxJsonBodyBytes(1_048_576); // 6,356,992
 */
export function maxJsonBodyBytes(payloadBytes: number, slackBytes = 64 * 1024): number {
  return 6 * payloadBytes + slackBytes;
}

/**
 * Reads a request body up to `limitBytes`. Past the limit it stops keeping what arrives and resolves at
 * once with `tooLarge`, so the caller can answer (413) while the client is still sending; the rest of the
 * body is then read and discarded (so the client sees the answer rather than a reset), and the connection
 * is dropped if the client keeps sending far beyond that.
 *
 * @example
 * const read = await readLimitedBody(req, maxJsonBodyBytes(PUT_EVENTS_MAX_REQUEST_BYTES));
 * if (read.tooLarge) return answer413(res);
 */
export function readLimitedBody(req: IncomingMessage, limitBytes: number): Promise<LimitedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytesRead = 0;
    let refused = false;
    const onData = (chunk: Buffer) => {
      bytesRead += chunk.length;
      if (refused) {
        if (bytesRead > limitBytes + MAX_DISCARDED_BYTES) req.socket.destroy();
        return;
      }
      if (bytesRead > limitBytes) {
        refused = true;
        chunks.length = 0;
        resolve({ tooLarge: true, bytesRead });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!refused) resolve({ tooLarge: false, body: Buffer.concat(chunks) });
    });
    req.on('error', (error) => {
      if (!refused) reject(error);
    });
  });
}
