import { createServer, type Server, type Socket } from 'node:net';
import type { Aedes } from 'aedes';

/** Plain MQTT over TCP; `destroyAll` cuts open connections so `close` does not wait for clients. */
export function createMqttTcpServer(broker: Aedes): { server: Server; destroyAll(): void } {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    broker.handle(socket);
  });
  return {
    server,
    destroyAll: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}
