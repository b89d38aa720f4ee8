import type { IncomingMessage } from 'node:http';
import type { Aedes, Client } from 'aedes';
import { type GatewayState, markDisconnectReason } from './session.js';

type BrokerPublish = (topic: string, payload: Buffer, qos: 0 | 1, retain: boolean) => Promise<void>;

/**
 * Publishes the IoT lifecycle events (`$aws/events/presence/connected|disconnected/{clientId}`) with the
 * disconnect reason the gateway recorded, or the one the connection's end implies.
 */
export function publishLifecycleEvents(broker: Aedes, state: GatewayState, publish: BrokerPublish): void {
  broker.on('client', (client) => publishLifecycleEvent(broker, state, client, 'connected', publish));
  broker.on('clientDisconnect', (client) => {
    const session = state.sessions.get(client);
    if (session?.timer) clearTimeout(session.timer);
    publishLifecycleEvent(broker, state, client, 'disconnected', publish);
  });
  broker.on('keepaliveTimeout', (client) =>
    markDisconnectReason(state.sessions.get(client), 'MQTT_KEEP_ALIVE_TIMEOUT'),
  );
}

function publishLifecycleEvent(
  broker: Aedes,
  state: GatewayState,
  client: Client,
  eventType: 'connected' | 'disconnected',
  publish: BrokerPublish,
): void {
  const session = state.sessions.get(client);
  // IoT Core sends no lifecycle events for client ids with wildcards.
  if (!session || /[+#]/.test(client.id)) return;
  const event: Record<string, unknown> = {
    clientId: client.id,
    timestamp: Date.now(),
    eventType,
    sessionIdentifier: session.sessionIdentifier,
    principalIdentifier: session.principal,
  };
  if (eventType === 'connected') {
    event.ipAddress = (client.req as IncomingMessage | undefined)?.socket.remoteAddress ?? '127.0.0.1';
  } else {
    const reason =
      session.reason ??
      ((client as Client & { _disconnected?: boolean })._disconnected
        ? 'CLIENT_INITIATED_DISCONNECT'
        : 'CONNECTION_LOST');
    event.clientInitiatedDisconnect = reason === 'CLIENT_INITIATED_DISCONNECT';
    event.disconnectReason = reason;
  }
  event.versionNumber = session.versionNumber;
  const topic = `$aws/events/presence/${eventType}/${client.id}`;
  publish(topic, Buffer.from(JSON.stringify(event)), 0, false).catch((error: unknown) => {
    // A client dropped while the gateway closes disconnects after the broker stopped delivering: its
    // event has nobody left to reach (as an unhandled rejection it ended `pnpm dev` with exit 1 on
    // Ctrl-C while a device was connected). Any other refusal is a lost event: said, not swallowed.
    if (broker.closed) return;
    process.emitWarning(`IoT lifecycle event ${topic} was not published: ${(error as Error)?.message ?? error}`);
  });
}
