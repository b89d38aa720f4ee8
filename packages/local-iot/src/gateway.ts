import { createServer, type Server } from 'node:http';
import type { Server as TcpServer } from 'node:net';
import { presignIotUrl } from '@blueprints/common';
import { Aedes } from 'aedes';
import type { WebSocketServer } from 'ws';
import type { IotGatewayAuthorizer } from './authorizer.js';
import { authenticateHook } from './gateway/authenticate.js';
import { authorizeHooks } from './gateway/authorize.js';
import { dataPlaneHandler } from './gateway/dataPlane.js';
import { publishLifecycleEvents } from './gateway/lifecycle.js';
import { brokerClients, type GatewayState, markDisconnectReason } from './gateway/session.js';
import { createMqttTcpServer } from './gateway/tcp.js';
import { type IotGateway, IotGatewayError, type IotGatewayMessage, type IotGatewayOptions } from './gateway/types.js';
import { createMqttWebSocketServer, mqttUpgradeHandler } from './gateway/webSocket.js';
import { IotRulesEngine } from './rules.js';
import { iotTopicLimitViolation, parseBasicIngestTopic } from './topics.js';

type BrokerPublish = (topic: string, payload: Buffer, qos: 0 | 1, retain: boolean) => Promise<void>;

/**
 * Starts a local stand-in for the AWS IoT Core message broker on 127.0.0.1: MQTT over WebSocket (`/mqtt`, presigned
 * SigV4 URLs or custom authorizers) and over TCP (custom authorizers via `username?x-amz-customauthorizer-name=N`),
 * IoT policies enforced on every CONNECT/PUBLISH/SUBSCRIBE and on delivery (`iot:Receive`), forbidden actions
 * disconnecting the client, topic rules (IoT SQL, Basic Ingest), lifecycle events, retained messages, and the
 * data-plane `Publish` HTTP API.
 *
 * The steps live one module each under `gateway/`: `authenticate` (presigned URL, custom authorizer), `authorize`
 * (policy hooks), `lifecycle` (presence events), and the transports `webSocket`, `dataPlane` and `tcp`.
 *
 * @example
 * const gateway = await startIotGateway({ region: 'us-east-1', accountId: '000000000000', credentials: [{ accessKeyId: 'local', secretAccessKey: 'local', policies }] });
 * const client = mqtt.connect(gateway.presign({ accessKeyId: 'local', secretAccessKey: 'local' }), { clientId: 'user-1' });
 */
export async function startIotGateway(options: IotGatewayOptions): Promise<IotGateway> {
  const state = initialState(options);
  const broker = await Aedes.createBroker({
    heartbeatInterval: 24 * 3600 * 1000,
    maxClientsIdLength: 128,
    preConnect: (client, packet, done) => {
      state.connectPackets.set(client, { clientId: packet.clientId });
      done(null, true);
    },
    authenticate: authenticateHook(state),
    ...authorizeHooks(state),
  });
  state.broker = broker;
  const publish: BrokerPublish = (topic, payload, qos, retain) =>
    new Promise((resolve, reject) => {
      broker.publish({ cmd: 'publish', topic, payload, qos, retain, dup: false }, (error?: Error | null) =>
        error ? reject(error) : resolve(),
      );
    });
  const rules = new IotRulesEngine(options.rules ?? [], {
    sqs: options.actions?.sqs,
    lambda: options.actions?.lambda,
    republish: (topic, payload, qos) => publish(topic, payload, qos, false),
  });
  const messageListeners = new Set<(m: IotGatewayMessage) => void>();
  dispatchPublishes(broker, state, rules, messageListeners);
  publishLifecycleEvents(broker, state, publish);

  // MQTT over WebSocket and the data plane share one HTTP server.
  const wss = createMqttWebSocketServer();
  const http = createServer(dataPlaneHandler(publish));
  http.on('upgrade', mqttUpgradeHandler(state, broker, wss, options.now));
  const tcp = createMqttTcpServer(broker);
  const httpPort = await listen(http, options.port ?? 0);
  const tcpPort = await listen(tcp.server, options.mqttPort ?? 0);
  const host = `127.0.0.1:${httpPort}`;

  return {
    wsUrl: `ws://${host}/mqtt`,
    mqttUrl: `mqtt://127.0.0.1:${tcpPort}`,
    dataPlaneEndpoint: `http://${host}`,
    host,
    region: options.region,
    presign: (creds, opts = {}) =>
      presignIotUrl({ host, region: options.region, credentials: creds, scheme: 'ws', ...opts }),
    publish: (topic, payload, opts = {}) => publishFromService(publish, topic, payload, opts),
    onMessage: (listener) => {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    ruleActivity: rules.activity,
    onRuleActivity: (listener) => rules.onActivity(listener),
    idle: () => rules.idle(),
    connections: () =>
      Object.values(brokerClients(state)).map((c) => ({
        clientId: c.id,
        principal: state.sessions.get(c)?.principal ?? '',
      })),
    dropConnection: (clientId) => dropConnection(state, clientId),
    close: () => closeGateway({ broker, wss, http, tcp, rules }),
  };
}

function initialState(options: IotGatewayOptions): GatewayState {
  return {
    region: options.region,
    accountId: options.accountId,
    credentials: options.credentials ?? [],
    authorizers: new Map<string, IotGatewayAuthorizer>(
      Object.entries(options.authorizers ?? {}).map(([name, a]) => [
        name,
        typeof a === 'function' ? { handler: a } : a,
      ]),
    ),
    sessions: new WeakMap(),
    connectPackets: new WeakMap(),
    upgradeAuth: new WeakMap(),
    versions: new Map(),
    serverName: '127.0.0.1',
  };
}

/** Every broker message goes to the `onMessage` listeners and the rules engine (Basic Ingest to its one rule). */
function dispatchPublishes(
  broker: Aedes,
  state: GatewayState,
  rules: IotRulesEngine,
  listeners: Set<(m: IotGatewayMessage) => void>,
): void {
  broker.on('publish', (packet, client) => {
    if (packet.topic.startsWith('$SYS/')) return;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload ?? '');
    const clientId = client?.id;
    const message: IotGatewayMessage = {
      topic: packet.topic,
      payload,
      qos: packet.qos,
      retain: packet.retain,
      clientId,
    };
    for (const listener of listeners) listener(message);
    const session = client ? state.sessions.get(client) : undefined;
    const ctx = { payload, clientId, principal: session?.principal, timestamp: Date.now() };
    const ingest = parseBasicIngestTopic(packet.topic);
    if (ingest) rules.dispatch({ ...ctx, topic: ingest.topic }, ingest.ruleName);
    else rules.dispatch({ ...ctx, topic: packet.topic });
  });
}

function publishFromService(
  publish: BrokerPublish,
  topic: string,
  payload: string | Buffer | object,
  opts: { qos?: 0 | 1; retain?: boolean },
): Promise<void> {
  const violation = iotTopicLimitViolation(topic);
  if (violation) return Promise.reject(new IotGatewayError(`cannot publish to "${topic}": ${violation}`));
  const bytes = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return publish(topic, bytes, opts.qos ?? 0, opts.retain ?? false);
}

function dropConnection(state: GatewayState, clientId: string): boolean {
  const client = brokerClients(state)[clientId];
  if (!client) return false;
  markDisconnectReason(state.sessions.get(client), 'CONNECTION_LOST');
  (client as typeof client & { conn: { destroy(): void } }).conn.destroy();
  return true;
}

async function closeGateway(parts: {
  broker: Aedes;
  wss: WebSocketServer;
  http: Server;
  tcp: { server: TcpServer; destroyAll(): void };
  rules: IotRulesEngine;
}): Promise<void> {
  const { broker, wss, http, tcp, rules } = parts;
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  tcp.destroyAll();
  http.closeAllConnections();
  await Promise.all([
    new Promise<void>((resolve) => http.close(() => resolve())),
    new Promise<void>((resolve) => tcp.server.close(() => resolve())),
  ]);
  await rules.idle();
}

function listen(server: Server | TcpServer, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}
