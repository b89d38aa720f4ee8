import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { IotNamespace } from '@blueprints/common';
import { connectAsync, type MqttClient } from 'mqtt';
import { resourcesOfType } from '../cloudformation/template.js';
import { pipesFromTemplate } from '../pipes/LocalPipes.js';
import type { DevEnvironment, DevService } from './devEnvironment.js';

export class DemoUnavailableError extends Error {
  constructor(what: string, service: string) {
    super(`${what} needs the ${service} service: start pnpm dev without --service, or with --service ${service}`);
    this.name = 'DemoUnavailableError';
  }
}

function required(dev: DevEnvironment, service: string, what: string): DevService {
  const s = dev.service(service);
  if (!s) throw new DemoUnavailableError(what, service);
  return s;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** An HS256 JWT, as the identity provider iot-realtime's authorizer trusts would issue it. */
export function signDevJwt(claims: Record<string, unknown>, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The dashboard's buttons: each drives one flow through the real local wiring. */
export class DemoActions {
  private sensorClient?: Promise<MqttClient>;

  constructor(private readonly dev: DevEnvironment) {}

  /** A sensor reading from a signed-in device: custom authorizer, Basic Ingest topic rule, queue, sensorConsumer, reply. */
  async publishSensorReading(subject = 'dashboard'): Promise<{ topic: string; reading: Record<string, unknown> }> {
    const s = required(this.dev, 'iot-realtime', 'Publishing a sensor reading');
    const gateway = this.dev.gateway;
    if (!gateway) throw new DemoUnavailableError('Publishing a sensor reading', 'iot-realtime');
    const authorizer = s.functions.find((f) => f.environment.JWT_SECRET_ARN);
    const ruleName = authorizer?.environment.SENSOR_RULE_NAME;
    if (!authorizer || !ruleName)
      throw new Error('iot-realtime has no authorizer with JWT_SECRET_ARN and SENSOR_RULE_NAME');
    // Its topics and client ids live under the deployment's namespace (`<service>/<stage>/…`).
    const namespace = IotNamespace.parse(authorizer.environment.IOT_NAMESPACE);
    const [authorizerId] = resourcesOfType(s.resolver.template, 'AWS::IoT::Authorizer', s.resolver.stack)[0] ?? [];
    const authorizerName = String(
      (s.resolver.resolve(s.resolver.resource(String(authorizerId)).Properties ?? {}) as { AuthorizerName: string })
        .AuthorizerName,
    );
    // A client the gateway disconnected (e.g. after a redeploy of the authorizer) is replaced.
    if (this.sensorClient && !(await this.sensorClient.catch(() => undefined))?.connected)
      this.sensorClient = undefined;
    this.sensorClient ??= (async () => {
      const now = Math.floor(Date.now() / 1000);
      // As long as the authorizer accepts; the gateway drops the client at expiry and the next reading reconnects.
      const lifetime = Number(authorizer.environment.JWT_MAX_LIFETIME_SECONDS) || 3600;
      const secret = this.dev.secretsManager.secretString(String(authorizer.environment.JWT_SECRET_ARN));
      const token = signDevJwt({ sub: subject, iat: now, exp: now + lifetime }, secret);
      const client = await connectAsync(`${gateway.wsUrl}?x-amz-customauthorizer-name=${authorizerName}`, {
        clientId: namespace.clientId(`${subject}-dashboard`),
        username: subject,
        password: token,
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      });
      await client.subscribeAsync(namespace.topic(`updates/user/${subject}`), { qos: 1 });
      return client;
    })().catch((error) => {
      this.sensorClient = undefined;
      throw error;
    });
    const client = await this.sensorClient;
    const reading = {
      sensor: 'desk',
      temperature: Math.round((18 + Math.random() * 10) * 10) / 10,
      humidity: Math.round(30 + Math.random() * 30),
    };
    const topic = `$aws/rules/${ruleName}/${namespace.topic(`updates/sensor/${subject}`)}`;
    await client.publishAsync(topic, JSON.stringify(reading), { qos: 1 });
    return { topic, reading };
  }

  /** A server-side broadcast through the `broadcast` function (IoT data plane publish). */
  async broadcast(message: unknown, topic = 'news'): Promise<unknown> {
    const s = required(this.dev, 'iot-realtime', 'A broadcast');
    const fn = s.functions.find((f) => f.name.endsWith('-broadcast'));
    if (!fn) throw new Error('iot-realtime has no broadcast function');
    return s.lambda.invoke(fn.name, { topic, message });
  }

  /** POST /events on event-logger's HTTP API: two persisted orders (brands A and B) and a page view. */
  async publishEvents(): Promise<{ status: number; body: unknown }> {
    const s = required(this.dev, 'event-logger', 'A batch of events');
    if (!s.http) throw new Error('event-logger has no HTTP API');
    const order = () => randomUUID().slice(0, 8);
    const response = await fetch(`${s.http.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          { detailType: 'order.placed', context: { brand: 'A', orderId: `a-${order()}`, total: 42.5 }, persist: true },
          { detailType: 'order.placed', context: { brand: 'B', orderId: `b-${order()}`, total: 9.99 }, persist: true },
          { detailType: 'cart.viewed', context: { brand: 'A', cartId: `c-${order()}` } },
        ],
      }),
    });
    return { status: response.status, body: await response.json() };
  }

  /** GET /events?correlationId=... (or ?detailType=order.placed) on event-logger's HTTP API. */
  async persistedEvents(query: {
    correlationId?: string;
    detailType?: string;
  }): Promise<{ status: number; body: unknown }> {
    const s = required(this.dev, 'event-logger', 'Persisted events');
    if (!s.http) throw new Error('event-logger has no HTTP API');
    const params = new URLSearchParams(
      query.correlationId ? { correlationId: query.correlationId } : { detailType: query.detailType ?? 'order.placed' },
    );
    const response = await fetch(`${s.http.url}/events?${params}`);
    return { status: response.status, body: await response.json() };
  }

  /**
   * A QLDB journal record on the pipe's Kinesis stream: the aggregated record of qldb-pipe's sample
   * event (`events/enrich.json`, written by its `scripts/make-sample-event.ts`: a block summary, an
   * insert, an update and a delete of one document, Ion binary, KPL-aggregated).
   */
  async putLedgerRecord(): Promise<{ streamName: string; sequenceNumber: string; records: number }> {
    const s = required(this.dev, 'qldb-pipe', 'A demo ledger record');
    const pipe = pipesFromTemplate(s.resolver)[0];
    if (!pipe) throw new Error('qldb-pipe has no pipe');
    const sample = JSON.parse(readFileSync(join(s.dir, 'events', 'enrich.json'), 'utf8')) as Array<{
      data: string;
      partitionKey: string;
    }>;
    let sequenceNumber = '';
    for (const record of sample) {
      const out = await this.dev.kinesis.client.send(
        new PutRecordCommand({
          StreamName: pipe.streamName,
          Data: Buffer.from(record.data, 'base64'),
          PartitionKey: record.partitionKey,
        }),
      );
      sequenceNumber = String(out.SequenceNumber);
    }
    return { streamName: pipe.streamName, sequenceNumber, records: sample.length };
  }

  /** GET /articles?type=... on rds-proxy-demo's HTTP API (PostgreSQL behind it). */
  async articles(type = 'news'): Promise<{ status: number; body: unknown }> {
    const s = required(this.dev, 'rds-proxy-demo', 'The articles query');
    if (!s.http) throw new Error('rds-proxy-demo has no HTTP API');
    const response = await fetch(`${s.http.url}/articles?${new URLSearchParams({ type })}`);
    return { status: response.status, body: await response.json() };
  }

  async close(): Promise<void> {
    const client = await this.sensorClient?.catch(() => undefined);
    await client?.endAsync(true);
  }
}
