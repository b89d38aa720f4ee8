import { IotNamespace } from '@blueprints/common';
import type { SQSRecord } from 'aws-lambda';
import { type JWTPayload, SignJWT } from 'jose';
import type { IotAuthorizerEvent } from '../../src/authorization/credentials.js';

export const TEST_SECRET = 'test-secret-for-the-authorizer-tests-0123456789';
export const REGION = 'us-east-1';
export const ACCOUNT_ID = '123456789012';
export const SENSOR_RULE_NAME = 'iot_realtime_test_sensor';
/** The deployment the unit tests act as: topics `iot-realtime/test/…`, client ids `iot-realtime_test_…`. */
export const NAMESPACE = new IotNamespace('iot-realtime', 'test');
/** Another deployment in the same account, whose names no policy of NAMESPACE may reach. */
export const OTHER_NAMESPACE = new IotNamespace('iot-realtime', 'other');
/** 2026-01-01T00:00:00Z */
export const NOW = new Date('2026-01-01T00:00:00Z');

/**
 * A signed HS256 JWT; `exp` defaults to one hour after NOW and `iat` to one hour before `exp`
 * (`iat: null` leaves it out).
 */
export async function signToken(
  claims: { sub?: unknown; exp?: number; iat?: number | null; [claim: string]: unknown } = {},
  secret = TEST_SECRET,
  alg = 'HS256',
): Promise<string> {
  const { sub = 'alice', exp = Math.floor(NOW.getTime() / 1000) + 3600, iat = exp - 3600, ...rest } = claims;
  const jwt = new SignJWT({ ...rest, ...(sub === undefined ? {} : { sub }) } as JWTPayload)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setExpirationTime(exp);
  if (iat !== null) jwt.setIssuedAt(iat);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** An unsigned (`alg: none`) token with the given claims. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

/** A custom authorizer event as IoT Core sends it for an MQTT-over-WebSocket CONNECT. */
export function authorizerEvent(
  options: {
    username?: string;
    /** Sent base64-encoded, as IoT Core does; pass `rawPassword` to send bytes as they are. */
    password?: string;
    rawPassword?: string;
    clientId?: string;
    queryString?: string;
    headers?: Record<string, string>;
  } = {},
): IotAuthorizerEvent {
  const mqtt: Record<string, unknown> = { clientId: options.clientId ?? 'alice-tab1' };
  if (options.username !== undefined) mqtt.username = options.username;
  if (options.password !== undefined) mqtt.password = Buffer.from(options.password, 'utf8').toString('base64');
  if (options.rawPassword !== undefined) mqtt.password = options.rawPassword;
  return {
    token: '',
    signatureVerified: false,
    protocols: ['tls', 'http', 'mqtt'],
    protocolData: {
      tls: { serverName: 'example-ats.iot.us-east-1.amazonaws.com' },
      http: {
        headers: options.headers ?? { host: 'example-ats.iot.us-east-1.amazonaws.com' },
        queryString: options.queryString ?? '?x-amz-customauthorizer-name=iot-realtime-test-jwt',
      },
      mqtt: mqtt as { username?: string; password?: string; clientId?: string },
    },
    connectionMetadata: { id: 'connection-1' },
  };
}

/** An SQS record as Lambda delivers it. */
export function sqsRecord(body: string, messageId = 'message-1'): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(NOW.getTime()),
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(NOW.getTime()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:iot-realtime-test-sensor-readings`,
    awsRegion: REGION,
  };
}

/** What the sensor rule's SELECT produces for a reading. */
export function sensorRuleOutput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    temperature: 21.5,
    humidity: 40,
    sensor: 'desk',
    subject: 'alice',
    clientId: NAMESPACE.clientId('alice-tab1'),
    receivedAt: NOW.getTime(),
    ...overrides,
  };
}

/** An IoT Core lifecycle event. */
export function lifecycleEvent(
  eventType: 'connected' | 'disconnected',
  timestamp: number,
  clientId = 'user-abc',
): Record<string, unknown> {
  return {
    clientId,
    timestamp,
    eventType,
    sessionIdentifier: `session-${timestamp}`,
    principalIdentifier: 'AROAEXAMPLE:presign',
    ipAddress: '192.0.2.10',
    versionNumber: 0,
    ...(eventType === 'disconnected'
      ? { clientInitiatedDisconnect: true, disconnectReason: 'CLIENT_INITIATED_DISCONNECT' }
      : {}),
  };
}

/** A literal IoT policy variable: the kind of identity that must never reach a policy. */
export const POLICY_VARIABLE = '${iot:ClientId}';
