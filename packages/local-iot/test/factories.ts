import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { IotPolicyBuilder, type IotPolicyDocument } from '@blueprints/common';
import { SignatureV4 } from '@smithy/signature-v4';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { IotGatewayMessage } from '../src/index.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

export const presignCredentials = { accessKeyId: 'LOCALPRESIGN', secretAccessKey: 'local/secret+key=' };
export const temporaryCredentials = {
  accessKeyId: 'ASIALOCAL',
  secretAccessKey: 'tmp+secret/key',
  sessionToken: 'token/with+special=chars',
};

export const FIXED_DATE = new Date('2026-03-14T15:09:26Z');
export const HOST = 'a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com';

/**
 * A presigned URL's query made by AWS's own signer (@smithy/signature-v4, pure-JS SHA-256), not by
 * @blueprints/common: the request IoT Core expects (GET /mqtt, host only, empty payload), the session
 * token left out of the signature unless `includeToken` (which IoT Core rejects).
 */
export async function independentPresign(
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  { includeToken = false } = {},
): Promise<Record<string, string>> {
  const { sessionToken: _unsigned, ...longTerm } = credentials;
  const signer = new SignatureV4({
    credentials: includeToken ? credentials : longTerm,
    region: REGION,
    service: 'iotdevicegateway',
    sha256: Sha256,
  });
  const signed = await signer.presign(
    { method: 'GET', protocol: 'wss:', hostname: HOST, path: '/mqtt', headers: { host: HOST }, query: {} },
    { signingDate: FIXED_DATE, expiresIn: 3600 },
  );
  return signed.query as Record<string, string>;
}

/** What anonymous browser clients may do (the presign role): connect as user-*, read `news`. */
export function anonymousPolicy(): IotPolicyDocument {
  return new IotPolicyBuilder({ region: REGION, accountId: ACCOUNT })
    .allowConnect(['user-*'])
    .allowSubscribe(['news', 'room/#'])
    .allowReceive(['news', 'room/public'])
    .allowPublish(['room/public'])
    .build();
}

/** What the custom authorizer grants subject `sub`. */
export function subjectPolicy(sub: string): IotPolicyDocument {
  return new IotPolicyBuilder({ region: REGION, accountId: ACCOUNT })
    .allowConnect([`${sub}_*`])
    .allowSubscribe([`updates/user/${sub}`])
    .allowReceive([`updates/user/${sub}`])
    .allowPublish([`$aws/rules/sensor_rule/updates/sensor/*`, `updates/user/${sub}`])
    .build();
}

export function authorizerResponse(sub: string, over: Record<string, unknown> = {}) {
  return {
    isAuthenticated: true,
    principalId: sub,
    disconnectAfterInSeconds: 3600,
    refreshAfterInSeconds: 300,
    policyDocuments: [JSON.stringify(subjectPolicy(sub))],
    ...over,
  };
}

/** Connects a real mqtt.js client; rejects on a refused connection. */
export function connect(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (client.disconnected || !client.connected) return resolve();
    client.once('close', () => resolve());
  });
}

export function nextMessage(
  client: MqttClient,
  topic?: string,
): Promise<{ topic: string; payload: Buffer; retain: boolean }> {
  return new Promise((resolve) => {
    const onMessage = (t: string, payload: Buffer, packet: { retain?: boolean }) => {
      if (topic && t !== topic) return;
      client.removeListener('message', onMessage);
      resolve({ topic: t, payload, retain: packet.retain === true });
    };
    client.on('message', onMessage);
  });
}

/** Every message a client receives, for asserting what it did NOT get. */
export function collect(client: MqttClient): string[] {
  const seen: string[] = [];
  client.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
  return seen;
}

export const subscribe = (client: MqttClient, filter: string, qos: 0 | 1 = 1) => client.subscribeAsync(filter, { qos });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for the first gateway message matching `predicate`. */
export function gatewayMessage(
  gateway: { onMessage(listener: (m: IotGatewayMessage) => void): () => void },
  predicate: (m: IotGatewayMessage) => boolean,
): Promise<IotGatewayMessage> {
  return new Promise((resolve) => {
    const stop = gateway.onMessage((m) => {
      if (predicate(m)) {
        stop();
        resolve(m);
      }
    });
  });
}

/** Sends a WebSocket upgrade request and returns the HTTP status and body when it is refused (101 when accepted). */
export function upgradeResponse(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace(/^ws/, 'http'), {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': 'mqtt',
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
