import type { IncomingMessage } from 'node:http';
import type { IotPolicyDocument } from '@blueprints/common';
import type { IoTCustomAuthorizerEvent } from 'aws-lambda';

/** A custom authorizer function (the Lambda handler, or anything with its contract). */
export type IotAuthorizerHandler = (event: IoTCustomAuthorizerEvent) => Promise<unknown>;

export interface IotGatewayAuthorizer {
  handler: IotAuthorizerHandler;
  /** `TokenKeyName` of the `AWS::IoT::Authorizer`: where to find `event.token` (header, query or username query). */
  tokenKeyName?: string;
  /** `Status: INACTIVE` authorizers refuse every connection. */
  enabled?: boolean;
}

/** A validated custom authorizer response. */
export interface IotAuthorizerGrant {
  principalId: string;
  policies: IotPolicyDocument[];
  disconnectAfterInSeconds: number;
  refreshAfterInSeconds: number;
}

export class InvalidIotAuthorizerResponseError extends Error {
  constructor(message: string) {
    super(`Custom authorizer response refused: ${message}`);
    this.name = 'InvalidIotAuthorizerResponseError';
  }
}

/** Header and query name IoT reads the authorizer name from. */
export const IOT_AUTHORIZER_NAME_KEY = 'x-amz-customauthorizer-name';

/** Raw `key=value` pairs of a query string (percent-decoded, `+` kept). */
export function parseIotQueryString(query: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of query.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    if (!out.has(key)) out.set(key, decode(eq < 0 ? '' : part.slice(eq + 1)));
  }
  return out;
}

/** The query part of an MQTT username such as `alice?x-amz-customauthorizer-name=Name` (empty when none). */
export function iotUsernameQuery(username: string | undefined): Map<string, string> {
  if (!username) return new Map();
  const q = username.indexOf('?');
  return q < 0 ? new Map() : parseIotQueryString(username.slice(q + 1));
}

export interface IotAuthorizerEventInput {
  connectionId: string;
  serverName: string;
  clientId?: string;
  username?: string;
  password?: Buffer;
  /** Present for MQTT over WebSocket. */
  request?: IncomingMessage;
  tokenKeyName?: string;
}

/** The event IoT Core sends a custom authorizer (https://docs.aws.amazon.com/iot/latest/developerguide/custom-auth-lambda.html). */
export function buildIotAuthorizerEvent(input: IotAuthorizerEventInput): IoTCustomAuthorizerEvent {
  const headers: Record<string, string> = {};
  let queryString = '';
  if (input.request) {
    for (const [name, value] of Object.entries(input.request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const url = input.request.url ?? '';
    queryString = url.includes('?') ? url.slice(url.indexOf('?')) : '';
  }
  let token: string | undefined;
  if (input.tokenKeyName) {
    const key = input.tokenKeyName;
    token =
      headers[key.toLowerCase()] ??
      parseIotQueryString(queryString).get(key) ??
      iotUsernameQuery(input.username).get(key) ??
      undefined;
  }
  const mqtt: Record<string, string> = {};
  if (input.username !== undefined) mqtt.username = input.username;
  if (input.password !== undefined) mqtt.password = input.password.toString('base64');
  if (input.clientId) mqtt.clientId = input.clientId;
  return {
    ...(token !== undefined ? { token } : {}),
    signatureVerified: false,
    protocols: input.request ? ['tls', 'http', 'mqtt'] : ['tls', 'mqtt'],
    protocolData: {
      tls: { serverName: input.serverName },
      ...(input.request ? { http: { headers, queryString } } : {}),
      mqtt: mqtt as unknown as NonNullable<IoTCustomAuthorizerEvent['protocolData']['mqtt']>,
    },
    connectionMetadata: { id: input.connectionId },
  };
}

const DURATION = (v: unknown) => Number.isInteger(v) && (v as number) >= 300 && (v as number) <= 86_400;

/**
 * One entry of `policyDocuments`: IoT Core takes a policy as a JSON string or as the JSON object itself
 * (the AWS documentation's example returns objects). Either way it must be a JSON object with a
 * `Statement`, at most 2048 characters as (compact) JSON text.
 */
function policyDocumentOf(document: unknown, i: number): IotPolicyDocument {
  let parsed: unknown;
  let length: number;
  if (typeof document === 'string') {
    length = document.length;
    try {
      parsed = JSON.parse(document);
    } catch {
      throw new InvalidIotAuthorizerResponseError(`policyDocuments[${i}] is not valid JSON`);
    }
  } else if (document !== null && typeof document === 'object' && !Array.isArray(document)) {
    parsed = document;
    length = JSON.stringify(document).length;
  } else {
    throw new InvalidIotAuthorizerResponseError(`policyDocuments[${i}] is neither a JSON string nor an object`);
  }
  if (length > 2048) {
    throw new InvalidIotAuthorizerResponseError(`policyDocuments[${i}] is ${length} characters (max 2048)`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !('Statement' in parsed)) {
    throw new InvalidIotAuthorizerResponseError(`policyDocuments[${i}] has no Statement`);
  }
  return parsed as IotPolicyDocument;
}

/**
 * Validates a custom authorizer response the way IoT Core does: `isAuthenticated: true`, `principalId` matching
 * `[a-zA-Z0-9]{1,128}`, `disconnectAfterInSeconds` and `refreshAfterInSeconds` in 300..86400, `policyDocuments`
 * 1..10 policies, each a JSON string or object of at most 2048 characters with a `Statement`. Throws
 * `InvalidIotAuthorizerResponseError` saying what is wrong.
 */
export function validateIotAuthorizerResponse(response: unknown): IotAuthorizerGrant {
  if (!response || typeof response !== 'object') throw new InvalidIotAuthorizerResponseError('not an object');
  const r = response as Record<string, unknown>;
  if (r.isAuthenticated !== true) throw new InvalidIotAuthorizerResponseError('isAuthenticated is not true');
  if (typeof r.principalId !== 'string' || !/^[a-zA-Z0-9]{1,128}$/.test(r.principalId)) {
    throw new InvalidIotAuthorizerResponseError('principalId must match [a-zA-Z0-9]{1,128}');
  }
  if (!DURATION(r.disconnectAfterInSeconds)) {
    throw new InvalidIotAuthorizerResponseError('disconnectAfterInSeconds must be an integer in 300..86400');
  }
  if (!DURATION(r.refreshAfterInSeconds)) {
    throw new InvalidIotAuthorizerResponseError('refreshAfterInSeconds must be an integer in 300..86400');
  }
  const documents = r.policyDocuments;
  if (!Array.isArray(documents) || documents.length === 0 || documents.length > 10) {
    throw new InvalidIotAuthorizerResponseError('policyDocuments must hold 1..10 documents');
  }
  const policies = documents.map(policyDocumentOf);
  return {
    principalId: r.principalId,
    policies,
    disconnectAfterInSeconds: r.disconnectAfterInSeconds as number,
    refreshAfterInSeconds: r.refreshAfterInSeconds as number,
  };
}
