import { type IotNamespace, type IotSigningCredentials, presignIotUrl } from '@blueprints/common';
import { ANONYMOUS_CLIENT_ID_PREFIX } from '../authorization/subject.js';

/** What `GET /iot/url` returns to a browser. */
export interface AnonymousConnection {
  /** A presigned MQTT-over-WebSocket URL carrying the presign role's (read-only) permissions. */
  url: string;
  /** Client ids must start with this (`<service>_<stage>_user-`), the only ones the role may connect as. */
  clientIdPrefix: string;
  /** Topics of this deployment start with this and `/` (`<service>/<stage>`): news is `<topicPrefix>/news`. */
  topicPrefix: string;
  /** After this instant the URL can no longer open a connection (open connections stay). */
  expiresAt: string;
}

export interface AnonymousConnectionOptions {
  host: string;
  region: string;
  credentials: IotSigningCredentials;
  expiresInSeconds: number;
  namespace: IotNamespace;
  scheme?: 'wss' | 'ws';
  now?: Date;
}

/**
 * Presigns a connection URL for an anonymous browser client with the caller's credentials, which
 * must be those of a role limited to what anonymous clients may do.
 *
 * @example
 * anonymousConnection({ host: 'abc-ats.iot.us-east-1.amazonaws.com', region: 'us-east-1', credentials, expiresInSeconds: 900, namespace });
 */
export function anonymousConnection(options: AnonymousConnectionOptions): AnonymousConnection {
  const now = options.now ?? new Date();
  const url = presignIotUrl({
    host: options.host,
    region: options.region,
    credentials: options.credentials,
    expiresIn: options.expiresInSeconds,
    now,
    ...(options.scheme ? { scheme: options.scheme } : {}),
  });
  return {
    url,
    clientIdPrefix: options.namespace.clientId(ANONYMOUS_CLIENT_ID_PREFIX),
    topicPrefix: options.namespace.topicPrefix,
    expiresAt: new Date(now.getTime() + options.expiresInSeconds * 1000).toISOString(),
  };
}

/** The credentials a Lambda function runs with (its role's temporary credentials, from its environment). */
export function credentialsFromEnvironment(
  env: Record<string, string | undefined> = process.env,
): IotSigningCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}
