import { createConnection, createServer, type Socket } from 'node:net';

/**
 * What the proxy does to the bytes between a client and the server behind it:
 * - `pass`: forwards both ways
 * - `freeze`: keeps every connection open and forwards nothing (a frozen database; new
 *   connections are accepted and never answered)
 * - `slow`: forwards, delaying every chunk from the server by `delayMs`
 * - `reset`: answers every connection, open or new, with a TCP reset
 */
export type FaultMode = { mode: 'pass' } | { mode: 'freeze' } | { mode: 'slow'; delayMs: number } | { mode: 'reset' };

export interface FaultyTcpProxy {
  port: number;
  set(fault: FaultMode): void;
  close(): Promise<void>;
}

/**
 * A loopback TCP server on port 0 in front of `target` (or of nothing: then it only accepts).
 * The fault applies to bytes as they arrive, so a connection opened while passing freezes,
 * slows down or resets when the fault changes.
 *
 * @example
 * const proxy = await startFaultyTcpProxy({ host: '127.0.0.1', port: postgres.port });
 * proxy.set({ mode: 'freeze' });
 */
export async function startFaultyTcpProxy(target?: { host: string; port: number }): Promise<FaultyTcpProxy> {
  let fault: FaultMode = { mode: 'pass' };
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };

  const server = createServer((client) => {
    track(client);
    if (fault.mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (!target) return;
    const upstream = createConnection(target);
    track(upstream);
    let serverChunks = Promise.resolve();
    client.on('data', (chunk) => {
      if (fault.mode === 'pass' || fault.mode === 'slow') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      const current = fault;
      if (current.mode === 'pass') {
        client.write(chunk);
      } else if (current.mode === 'slow') {
        // Chained, so chunks keep their order.
        serverChunks = serverChunks.then(() =>
          new Promise((resolve) => setTimeout(resolve, current.delayMs)).then(() => void client.write(chunk)),
        );
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('The proxy has no port');

  return {
    port: address.port,
    set(next) {
      fault = next;
      if (next.mode === 'reset') for (const socket of sockets) socket.resetAndDestroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
