/** The parts of an IoT Core custom authorizer event this service reads (everything is optional: it is untrusted). */
export interface IotAuthorizerEvent {
  token?: unknown;
  signatureVerified?: unknown;
  protocols?: unknown;
  protocolData?: {
    tls?: { serverName?: unknown };
    http?: { headers?: unknown; queryString?: unknown };
    mqtt?: { username?: unknown; password?: unknown; clientId?: unknown };
  };
  connectionMetadata?: { id?: unknown };
}

/** What a connecting client presented. */
export interface PresentedCredentials {
  /** The MQTT username without the `?x-amz-customauthorizer-name=...` suffix (informational only). */
  username?: string;
  /** The bearer token (a JWT), from the MQTT password or the WebSocket query string or headers. */
  token: string;
  /** Where the token was found, for logs. */
  source: 'mqtt-password' | 'query-string' | 'header';
  clientId?: string;
}

export class MissingCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingCredentialsError';
  }
}

/** Longer tokens are refused before any parsing: no identity provider issues JWTs this large. */
export const MAX_TOKEN_LENGTH = 8192;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard base64 strictly (IoT Core base64-encodes the MQTT password); anything else is refused.
 *
 * @example
 * decodeBase64Strict('aGk='); // 'hi'
 */
export function decodeBase64Strict(encoded: string): string {
  if (encoded.length === 0 || encoded.length > Math.ceil((MAX_TOKEN_LENGTH * 4) / 3) + 4) {
    throw new MissingCredentialsError('password is empty or too long');
  }
  if (!STRICT_BASE64.test(encoded)) throw new MissingCredentialsError('password is not base64');
  const decoded = Buffer.from(encoded, 'base64');
  const text = decoded.toString('utf8');
  if (Buffer.from(text, 'utf8').compare(decoded) !== 0) throw new MissingCredentialsError('password is not UTF-8');
  return text;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function header(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name) return nonEmptyString(value);
  }
  return undefined;
}

/**
 * Finds the token a client presented: the MQTT password (base64, as IoT Core delivers it), else the
 * WebSocket query parameter `token`, else an `Authorization: Bearer` header. Throws
 * `MissingCredentialsError` when there is none or it is malformed.
 *
 * @example
 * presentedCredentials({ protocolData: { mqtt: { username: 'alice', password: 'ZXlK...' } } });
 */
export function presentedCredentials(event: IotAuthorizerEvent): PresentedCredentials {
  if (event === null || typeof event !== 'object') throw new MissingCredentialsError('event is not an object');
  const mqtt = event.protocolData?.mqtt;
  const http = event.protocolData?.http;
  const rawUsername = nonEmptyString(mqtt?.username);
  const username = rawUsername?.split('?')[0];
  const clientId = nonEmptyString(mqtt?.clientId);

  let token: string | undefined;
  let source: PresentedCredentials['source'] = 'mqtt-password';
  const password = nonEmptyString(mqtt?.password);
  if (password !== undefined) {
    token = decodeBase64Strict(password);
  } else {
    const queryString = nonEmptyString(http?.queryString);
    const fromQuery = queryString ? new URLSearchParams(queryString.replace(/^\?/, '')).get('token') : null;
    if (fromQuery) {
      token = fromQuery;
      source = 'query-string';
    } else {
      const authorization = header(http?.headers, 'authorization');
      const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (bearer) {
        token = bearer;
        source = 'header';
      }
    }
  }
  if (token === undefined || token.trim() === '') throw new MissingCredentialsError('no token presented');
  if (token.length > MAX_TOKEN_LENGTH) throw new MissingCredentialsError('token too long');
  return { token, source, ...(username ? { username } : {}), ...(clientId ? { clientId } : {}) };
}
