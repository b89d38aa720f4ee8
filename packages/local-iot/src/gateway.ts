import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type IotAction, type IotPolicyDocument, type IotSigningCredentials, presignIotUrl } from '@blueprints/common';
import { Aedes, type Client } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import {
  buildIotAuthorizerEvent,
  IOT_AUTHORIZER_NAME_KEY,
  type IotAuthorizerHandler,
  type IotGatewayAuthorizer,
  iotUsernameQuery,
  parseIotQueryString,
  validateIotAuthorizerResponse,
} from './authorizer.js';
import { evaluateIotPolicy } from './evaluateIotPolicy.js';
import { InvalidPresignedUrlError } from './presignedUrlErrors.js';
import { type IotRuleActivity, IotRulesEngine, type LocalTopicRule } from './rules.js';
import { IOT_LIMITS, iotTopicLimitViolation, parseBasicIngestTopic } from './topics.js';
import { verifyPresignedIotUrl } from './verifyPresignedIotUrl.js';

/** Local credentials a presigned URL may be signed with, and the IoT permissions of their principal. */
export interface IotGatewayCredential extends IotSigningCredentials {
  /** The principal's policies (e.g. the IoT statements of the presign function's role: `iotPoliciesOfFunction`). */
  policies?: IotPolicyDocument[];
  /** What `principal()` and lifecycle `principalIdentifier` report (default: the access key id). */
  principal?: string;
}

export interface IotGatewayOptions {
  region: string;
  accountId: string;
  /** Known local credentials for presigned URLs. */
  credentials?: IotGatewayCredential[];
  /** Custom authorizers by name (`x-amz-customauthorizer-name`). */
  authorizers?: Record<string, IotAuthorizerHandler | IotGatewayAuthorizer>;
  rules?: LocalTopicRule[];
  actions?: {
    sqs?: (queueUrl: string, body: string) => Promise<void>;
    lambda?: (functionArn: string, payload: unknown) => Promise<void>;
  };
  /** Port for MQTT over WebSocket and the data-plane HTTP API (default 0: any free port). */
  port?: number;
  /** Port for plain MQTT over TCP (default 0). */
  mqttPort?: number;
  /** Clock used to check presigned URL expiry (default: the system clock). */
  now?: () => Date;
}

export interface IotGatewayMessage {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  /** The publishing client, or undefined for data-plane/rule/lifecycle messages. */
  clientId?: string;
}

export type IotDisconnectReason =
  | 'AUTH_ERROR'
  | 'CLIENT_INITIATED_DISCONNECT'
  | 'CLIENT_ERROR'
  | 'CONNECTION_LOST'
  | 'DUPLICATE_CLIENTID'
  | 'MQTT_KEEP_ALIVE_TIMEOUT'
  | 'SERVER_INITIATED_DISCONNECT'
  | 'CUSTOMAUTH_TTL_EXPIRATION';

export interface IotGateway {
  /** `ws://127.0.0.1:PORT/mqtt` */
  wsUrl: string;
  /** `mqtt://127.0.0.1:PORT` */
  mqttUrl: string;
  /** `http://127.0.0.1:PORT`: `POST /topics/{topic}?qos=&retain=` like the IoT data plane (`AWS_ENDPOINT_URL_IOT_DATA_PLANE`). */
  dataPlaneEndpoint: string;
  /** `127.0.0.1:PORT`, the host to presign URLs for. */
  host: string;
  region: string;
  /** Presigns a `ws://` URL for this gateway (`presignIotUrl` with `host` and `region` filled in). */
  presign(credentials: IotSigningCredentials, options?: { expiresIn?: number; now?: Date }): string;
  /** Publishes as the service would through the data plane (runs rules, honours retain). */
  publish(topic: string, payload: string | Buffer | object, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  /** Observes every message published on the broker (clients, data plane, rules, lifecycle events). */
  onMessage(listener: (message: IotGatewayMessage) => void): () => void;
  /** Every rule action run so far. */
  ruleActivity: IotRuleActivity[];
  onRuleActivity(listener: (activity: IotRuleActivity) => void): () => void;
  /** Resolves when no rule action is running. */
  idle(): Promise<void>;
  /** Connected clients. */
  connections(): Array<{ clientId: string; principal: string }>;
  /**
   * Cuts a client's connection as a network failure would (no DISCONNECT, lifecycle reason
   * `CONNECTION_LOST`): for reconnect tests. False when no such client is connected.
   */
  dropConnection(clientId: string): boolean;
  close(): Promise<void>;
}

export class IotGatewayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IotGatewayError';
  }
}

class ConnectRefusedError extends Error {
  constructor(
    message: string,
    readonly returnCode: 2 | 4 | 5,
  ) {
    super(message);
    this.name = 'ConnectRefusedError';
  }
}

type UpgradeAuth = { kind: 'presigned'; credential: IotGatewayCredential } | { kind: 'authorizer'; name: string };

interface Session {
  principal: string;
  policies: IotPolicyDocument[];
  sessionIdentifier: string;
  versionNumber: number;
  reason?: IotDisconnectReason;
  timer?: NodeJS.Timeout;
}

const RESERVED_PUBLISH = [/^\$aws\/events\//, /^\$SYS\//];

/**
 * Starts a local stand-in for the AWS IoT Core message broker on 127.0.0.1: MQTT over WebSocket (`/mqtt`, presigned
 * SigV4 URLs or custom authorizers) and over TCP (custom authorizers via `username?x-amz-customauthorizer-name=N`),
 * IoT policies enforced on every CONNECT/PUBLISH/SUBSCRIBE and on delivery (`iot:Receive`), forbidden actions
 * disconnecting the client, topic rules (IoT SQL, Basic Ingest), lifecycle events, retained messages, and the
 * data-plane `Publish` HTTP API.
 *
 * @example
 * const gateway = await startIotGateway({ region: 'us-east-1', accountId: '000000000000', credentials: [{ accessKeyId: 'local', secretAccessKey: 'local', policies }] });
 * const client = mqtt.connect(gateway.presign({ accessKeyId: 'local', secretAccessKey: 'local' }), { clientId: 'user-1' });
 */
export async function startIotGateway(options: IotGatewayOptions): Promise<IotGateway> {
  const { region, accountId } = options;
  const credentials = options.credentials ?? [];
  const authorizers = new Map<string, IotGatewayAuthorizer>(
    Object.entries(options.authorizers ?? {}).map(([name, a]) => [name, typeof a === 'function' ? { handler: a } : a]),
  );
  const arn = (kind: 'client' | 'topic' | 'topicfilter', name: string) =>
    `arn:aws:iot:${region}:${accountId}:${kind}/${name}`;
  const sessions = new WeakMap<Client, Session>();
  const connectPackets = new WeakMap<Client, { clientId: string }>();
  const upgradeAuth = new WeakMap<IncomingMessage, UpgradeAuth>();
  const versions = new Map<string, number>();
  const messageListeners = new Set<(m: IotGatewayMessage) => void>();
  let serverName = '127.0.0.1';

  const allowed = (session: Session | undefined, action: IotAction, resource: string, clientId: string) =>
    session !== undefined && evaluateIotPolicy(session.policies, { action, resource, clientId }) === 'allow';

  const refuse = (client: Client, reason: IotDisconnectReason, message: string): Error => {
    const session = sessions.get(client);
    if (session && !session.reason) session.reason = reason;
    return new Error(message);
  };

  async function authenticate(client: Client, username: string | undefined, password: Buffer | undefined) {
    const req = client.req as IncomingMessage | undefined;
    const auth = req ? upgradeAuth.get(req) : undefined;
    const sentClientId = connectPackets.get(client)?.clientId ?? '';
    const clientId = client.id;
    let principal: string;
    let policies: IotPolicyDocument[];
    let disconnectAfter: number | undefined;

    const authorizerName =
      auth?.kind === 'authorizer'
        ? auth.name
        : !req
          ? iotUsernameQuery(username).get(IOT_AUTHORIZER_NAME_KEY)
          : undefined;
    if (auth?.kind === 'presigned') {
      principal = auth.credential.principal ?? auth.credential.accessKeyId;
      policies = auth.credential.policies ?? [];
    } else if (authorizerName !== undefined) {
      const authorizer = authorizers.get(authorizerName);
      if (!authorizer || authorizer.enabled === false) {
        throw new ConnectRefusedError(`no active custom authorizer "${authorizerName}"`, 5);
      }
      const event = buildIotAuthorizerEvent({
        connectionId: randomUUID(),
        serverName,
        clientId: sentClientId || undefined,
        username,
        password,
        request: req,
        tokenKeyName: authorizer.tokenKeyName,
      });
      let response: unknown;
      try {
        response = await authorizer.handler(event);
      } catch (error) {
        throw new ConnectRefusedError(`custom authorizer "${authorizerName}" failed: ${String(error)}`, 5);
      }
      let grant: ReturnType<typeof validateIotAuthorizerResponse>;
      try {
        grant = validateIotAuthorizerResponse(response);
      } catch (error) {
        throw new ConnectRefusedError((error as Error).message, 5);
      }
      principal = grant.principalId;
      policies = grant.policies;
      disconnectAfter = grant.disconnectAfterInSeconds;
    } else {
      throw new ConnectRefusedError('no credentials: use a presigned URL or name a custom authorizer', 5);
    }

    if (Buffer.byteLength(clientId, 'utf8') > IOT_LIMITS.clientIdBytes) {
      throw new ConnectRefusedError(`client id longer than ${IOT_LIMITS.clientIdBytes} bytes`, 2);
    }
    if (clientId.startsWith('$')) throw new ConnectRefusedError('client ids may not start with $', 2);
    const session: Session = {
      principal,
      policies,
      sessionIdentifier: randomUUID(),
      versionNumber: 0,
    };
    if (!allowed(session, 'iot:Connect', arn('client', clientId), clientId)) {
      throw new ConnectRefusedError(`iot:Connect on client/${clientId} is not allowed`, 5);
    }
    const previous = brokerClients()[clientId];
    if (previous) {
      const previousSession = sessions.get(previous);
      if (previousSession && !previousSession.reason) previousSession.reason = 'DUPLICATE_CLIENTID';
    }
    session.versionNumber = (versions.get(clientId) ?? 0) + 1;
    versions.set(clientId, session.versionNumber);
    sessions.set(client, session);
    if (disconnectAfter !== undefined) {
      session.timer = setTimeout(() => {
        if (!session.reason) session.reason = 'CUSTOMAUTH_TTL_EXPIRATION';
        client.close();
      }, disconnectAfter * 1000);
      session.timer.unref();
    }
  }

  const broker = await Aedes.createBroker({
    heartbeatInterval: 24 * 3600 * 1000,
    maxClientsIdLength: 128,
    preConnect: (client, packet, done) => {
      connectPackets.set(client, { clientId: packet.clientId });
      done(null, true);
    },
    authenticate: (client, username, password, done) => {
      authenticate(client, username, password as Buffer | undefined).then(
        () => done(null, true),
        (error: unknown) => {
          const refused =
            error instanceof ConnectRefusedError
              ? error
              : new ConnectRefusedError(`authentication failed: ${String(error)}`, 5);
          done(Object.assign(new Error(refused.message), { returnCode: refused.returnCode }), false);
        },
      );
    },
    authorizePublish: (client, packet, done) => {
      if (!client) return done(null);
      const session = sessions.get(client);
      const topic = packet.topic;
      if (packet.qos > 1) return done(refuse(client, 'CLIENT_ERROR', 'IoT Core does not support QoS 2'));
      const violation = iotTopicLimitViolation(topic);
      if (violation) return done(refuse(client, 'CLIENT_ERROR', violation));
      const size = packet.payload ? Buffer.byteLength(packet.payload as Buffer) : 0;
      if (size > IOT_LIMITS.payloadBytes) {
        return done(refuse(client, 'CLIENT_ERROR', `payload is ${size} bytes (max ${IOT_LIMITS.payloadBytes})`));
      }
      if (RESERVED_PUBLISH.some((r) => r.test(topic))) {
        return done(refuse(client, 'AUTH_ERROR', `${topic} is a reserved topic`));
      }
      if (!allowed(session, 'iot:Publish', arn('topic', topic), client.id)) {
        return done(refuse(client, 'AUTH_ERROR', `iot:Publish on topic/${topic} is not allowed`));
      }
      if (parseBasicIngestTopic(topic)) packet.retain = false;
      if (packet.retain && !allowed(session, 'iot:RetainPublish', arn('topic', topic), client.id)) {
        return done(refuse(client, 'AUTH_ERROR', `iot:RetainPublish on topic/${topic} is not allowed`));
      }
      done(null);
    },
    authorizeSubscribe: (client, subscription, done) => {
      const filter = subscription.topic;
      const violation = iotTopicLimitViolation(filter);
      if (violation) return done(refuse(client, 'CLIENT_ERROR', violation));
      // Basic Ingest topics never reach subscribers: refuse the subscription (SUBACK 0x80), keep the connection.
      if (filter.startsWith('$aws/rules/') || filter.startsWith('$SYS/')) return done(null, null);
      if (!allowed(sessions.get(client), 'iot:Subscribe', arn('topicfilter', filter), client.id)) {
        return done(refuse(client, 'AUTH_ERROR', `iot:Subscribe on topicfilter/${filter} is not allowed`));
      }
      done(null, { ...subscription, qos: Math.min(subscription.qos, 1) as 0 | 1 });
    },
    authorizeForward: (client, packet) => {
      const topic = packet.topic;
      if (topic.startsWith('$SYS/') || topic.startsWith('$aws/rules/')) return null;
      return allowed(sessions.get(client), 'iot:Receive', arn('topic', topic), client.id) ? packet : null;
    },
  });

  // aedes keeps connected clients by id (not in its typings).
  const brokerClients = () => (broker as unknown as { clients: Record<string, Client> }).clients;

  const rules = new IotRulesEngine(options.rules ?? [], {
    sqs: options.actions?.sqs,
    lambda: options.actions?.lambda,
    republish: (topic, payload, qos) => publishInternal(topic, payload, qos, false),
  });

  function publishInternal(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      broker.publish({ cmd: 'publish', topic, payload, qos, retain, dup: false }, (error?: Error | null) =>
        error ? reject(error) : resolve(),
      );
    });
  }

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
    for (const listener of messageListeners) listener(message);
    const session = client ? sessions.get(client) : undefined;
    const ctx = { payload, clientId, principal: session?.principal, timestamp: Date.now() };
    const ingest = parseBasicIngestTopic(packet.topic);
    if (ingest) rules.dispatch({ ...ctx, topic: ingest.topic }, ingest.ruleName);
    else rules.dispatch({ ...ctx, topic: packet.topic });
  });

  const lifecycle = (client: Client, eventType: 'connected' | 'disconnected') => {
    const session = sessions.get(client);
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
    void publishInternal(
      `$aws/events/presence/${eventType}/${client.id}`,
      Buffer.from(JSON.stringify(event)),
      0,
      false,
    );
  };
  broker.on('client', (client) => lifecycle(client, 'connected'));
  broker.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    if (session?.timer) clearTimeout(session.timer);
    lifecycle(client, 'disconnected');
  });
  broker.on('keepaliveTimeout', (client) => {
    const session = sessions.get(client);
    if (session && !session.reason) session.reason = 'MQTT_KEEP_ALIVE_TIMEOUT';
  });

  // MQTT over WebSocket and the data plane share one HTTP server.
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
  });
  const http = createServer((req, res) => {
    handleDataPlane(req, res).catch((error: unknown) => sendError(res, 500, 'InternalFailureException', String(error)));
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    const rejectUpgrade = (status: number, text: string, message: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`);
    };
    if (path !== '/mqtt') return rejectUpgrade(404, 'Not Found', 'MQTT over WebSocket lives at /mqtt');
    const query = parseIotQueryString(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    const headerName = req.headers[IOT_AUTHORIZER_NAME_KEY];
    const authorizerName =
      query.get(IOT_AUTHORIZER_NAME_KEY) ?? (Array.isArray(headerName) ? headerName[0] : headerName);
    if (query.has('X-Amz-Signature')) {
      try {
        const verified = verifyPresignedIotUrl(`ws://${req.headers.host ?? ''}${url}`, {
          credentials,
          region,
          now: options.now?.(),
        });
        upgradeAuth.set(req, { kind: 'presigned', credential: verified.credentials as IotGatewayCredential });
      } catch (error) {
        const message = error instanceof InvalidPresignedUrlError ? error.message : String(error);
        return rejectUpgrade(401, 'Unauthorized', message);
      }
    } else if (authorizerName !== undefined) {
      if (!authorizers.has(authorizerName))
        return rejectUpgrade(401, 'Unauthorized', `unknown authorizer ${authorizerName}`);
      upgradeAuth.set(req, { kind: 'authorizer', name: authorizerName });
    } else {
      return rejectUpgrade(401, 'Unauthorized', 'presign the URL (SigV4) or name a custom authorizer');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => undefined);
      broker.handle(stream, req);
    });
  });

  async function handleDataPlane(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const match = /^\/topics\/(.+)$/.exec(url.pathname);
    if (!match || req.method !== 'POST')
      return sendError(res, 404, 'ResourceNotFoundException', 'only POST /topics/{topic}');
    const topic = decodeURIComponent(match[1] as string);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > IOT_LIMITS.payloadBytes) {
        return sendError(res, 413, 'RequestEntityTooLargeException', `payload over ${IOT_LIMITS.payloadBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    const qos = Number(url.searchParams.get('qos') ?? 0);
    if (qos !== 0 && qos !== 1) return sendError(res, 400, 'InvalidRequestException', 'qos must be 0 or 1');
    const violation = iotTopicLimitViolation(topic);
    if (violation) return sendError(res, 400, 'InvalidRequestException', violation);
    if (RESERVED_PUBLISH.some((r) => r.test(topic))) return sendError(res, 403, 'ForbiddenException', 'reserved topic');
    const retain = url.searchParams.get('retain') === 'true' && !parseBasicIngestTopic(topic);
    await publishInternal(topic, Buffer.concat(chunks), qos, retain);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  }

  function sendError(res: ServerResponse, status: number, type: string, message: string) {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ message }));
  }

  const tcpSockets = new Set<Socket>();
  const tcp = createTcpServer((socket) => {
    tcpSockets.add(socket);
    socket.on('close', () => tcpSockets.delete(socket));
    socket.on('error', () => undefined);
    broker.handle(socket);
  });

  const listen = (
    server: { listen: (port: number, host: string, cb: () => void) => unknown; address: () => unknown },
    port: number,
  ) =>
    new Promise<number>((resolve, reject) => {
      (server as unknown as NodeJS.EventEmitter).once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  const httpPort = await listen(http, options.port ?? 0);
  const tcpPort = await listen(tcp, options.mqttPort ?? 0);
  const host = `127.0.0.1:${httpPort}`;
  serverName = '127.0.0.1';

  return {
    wsUrl: `ws://${host}/mqtt`,
    mqttUrl: `mqtt://127.0.0.1:${tcpPort}`,
    dataPlaneEndpoint: `http://${host}`,
    host,
    region,
    presign: (creds, opts = {}) => presignIotUrl({ host, region, credentials: creds, scheme: 'ws', ...opts }),
    publish: (topic, payload, opts = {}) => {
      const violation = iotTopicLimitViolation(topic);
      if (violation) return Promise.reject(new IotGatewayError(`cannot publish to "${topic}": ${violation}`));
      const bytes = Buffer.isBuffer(payload)
        ? payload
        : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
      return publishInternal(topic, bytes, opts.qos ?? 0, opts.retain ?? false);
    },
    onMessage: (listener) => {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    ruleActivity: rules.activity,
    onRuleActivity: (listener) => rules.onActivity(listener),
    idle: () => rules.idle(),
    connections: () =>
      Object.values(brokerClients()).map((c) => ({
        clientId: c.id,
        principal: sessions.get(c)?.principal ?? '',
      })),
    dropConnection: (clientId) => {
      const client = brokerClients()[clientId];
      if (!client) return false;
      const session = sessions.get(client);
      if (session && !session.reason) session.reason = 'CONNECTION_LOST';
      (client as Client & { conn: { destroy(): void } }).conn.destroy();
      return true;
    },
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      for (const socket of tcpSockets) socket.destroy();
      http.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => http.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
      await rules.idle();
    },
  };
}
