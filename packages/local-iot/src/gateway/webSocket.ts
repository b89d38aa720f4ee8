import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { IOT_AUTHORIZER_NAME_KEY, parseIotQueryString } from '../authorizer.js';
import { InvalidPresignedUrlError } from '../presignedUrlErrors.js';
import { verifyPresignedIotUrl } from '../verifyPresignedIotUrl.js';
import type { GatewayState, UpgradeAuth } from './session.js';
import type { IotGatewayCredential } from './types.js';

class UpgradeRejectedError extends Error {
  constructor(
    readonly status: 401 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'UpgradeRejectedError';
  }
}

/** MQTT over WebSocket at `/mqtt` (subprotocol `mqtt`). */
export function createMqttWebSocketServer(): WebSocketServer {
  return new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
  });
}

/**
 * The HTTP server's `upgrade` listener: checks the presigned URL or the named authorizer before the WebSocket
 * handshake (as IoT Core answers 401/404 at the handshake), then hands the stream to the broker.
 */
export function mqttUpgradeHandler(
  state: GatewayState,
  broker: Aedes,
  wss: WebSocketServer,
  now: (() => Date) | undefined,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    try {
      state.upgradeAuth.set(req, authenticateUpgrade(state, req, now));
    } catch (error) {
      if (!(error instanceof UpgradeRejectedError)) throw error;
      const text = error.status === 404 ? 'Not Found' : 'Unauthorized';
      socket.end(
        `HTTP/1.1 ${error.status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${error.message}\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => undefined);
      broker.handle(stream, req);
    });
  };
}

function authenticateUpgrade(state: GatewayState, req: IncomingMessage, now: (() => Date) | undefined): UpgradeAuth {
  const url = req.url ?? '/';
  if (url.split('?')[0] !== '/mqtt') throw new UpgradeRejectedError(404, 'MQTT over WebSocket lives at /mqtt');
  const query = parseIotQueryString(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  const headerName = req.headers[IOT_AUTHORIZER_NAME_KEY];
  const authorizerName = query.get(IOT_AUTHORIZER_NAME_KEY) ?? (Array.isArray(headerName) ? headerName[0] : headerName);
  if (query.has('X-Amz-Signature')) {
    try {
      const verified = verifyPresignedIotUrl(`ws://${req.headers.host ?? ''}${url}`, {
        credentials: state.credentials,
        region: state.region,
        now: now?.(),
      });
      return { kind: 'presigned', credential: verified.credentials as IotGatewayCredential };
    } catch (error) {
      throw new UpgradeRejectedError(401, error instanceof InvalidPresignedUrlError ? error.message : String(error));
    }
  }
  if (authorizerName === undefined) {
    throw new UpgradeRejectedError(401, 'presign the URL (SigV4) or name a custom authorizer');
  }
  if (!state.authorizers.has(authorizerName))
    throw new UpgradeRejectedError(401, `unknown authorizer ${authorizerName}`);
  return { kind: 'authorizer', name: authorizerName };
}
