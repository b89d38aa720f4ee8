import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (for servers that cannot listen on port 0 themselves, e.g. PostgreSQL). */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
