import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { IotNamespace } from '@blueprints/common';
import { LOCAL_IAM_CALLER_HEADER } from '@blueprints/local-http-api';
import { pipesFromTemplate } from '@blueprints/local-pipes';
import { resourcesOfType } from '@blueprints/packaging';
import { connectAsync, type MqttClient } from 'mqtt';
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

  /**
   * The local stand-in for a SigV4-signed call by tenant `tenant` of event-logger: a session of its tenant
   * role (`TENANT_ROLE_PREFIX` + tenant), named in the local-only caller header.
   */
  private tenantCaller(s: DevService, tenant: string): Record<string, string> {
    const prefix = s.functions.find((f) => f.environment.TENANT_ROLE_PREFIX)?.environment.TENANT_ROLE_PREFIX;
    if (!prefix) throw new Error('event-logger has no function with TENANT_ROLE_PREFIX');
    return {
      [LOCAL_IAM_CALLER_HEADER]: `arn:aws:sts::${this.dev.accountId}:assumed-role/${prefix}${tenant}/dashboard`,
    };
  }

  /**
   * POST /events on event-logger's HTTP API: tenant A publishes a persisted order and a page view, tenant B a
   * persisted order under the same correlationId (their idempotency keys collide, their namespaces do not).
   * Answers with tenant A's response.
   */
  async publishEvents(): Promise<{ status: number; body: unknown }> {
    const s = required(this.dev, 'event-logger', 'A batch of events');
    const url = s.http?.url;
    if (!url) throw new Error('event-logger has no HTTP API');
    const order = () => randomUUID().slice(0, 8);
    const post = (tenant: string, events: unknown[], headers: Record<string, string> = {}) =>
      fetch(`${url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.tenantCaller(s, tenant), ...headers },
        body: JSON.stringify({ events }),
      });
    const response = await post('A', [
      { detailType: 'order.placed', context: { orderId: `a-${order()}`, total: 42.5 }, persist: true },
      { detailType: 'cart.viewed', context: { cartId: `c-${order()}` } },
    ]);
    const body = (await response.json()) as { correlationId?: string };
    if (response.ok && body.correlationId) {
      await post(
        'B',
        [{ detailType: 'order.placed', context: { orderId: `b-${order()}`, total: 9.99 }, persist: true }],
        {
          'x-correlation-id': body.correlationId,
        },
      );
    }
    return { status: response.status, body };
  }

  /**
   * GET /events?correlationId=... (or ?detailType=order.placed) on event-logger's HTTP API, as tenant A and as
   * tenant B (each sees only its own events), the items of both in one list.
   */
  async persistedEvents(query: {
    correlationId?: string;
    detailType?: string;
  }): Promise<{ status: number; body: unknown }> {
    const s = required(this.dev, 'event-logger', 'Persisted events');
    const url = s.http?.url;
    if (!url) throw new Error('event-logger has no HTTP API');
    const params = new URLSearchParams(
      query.correlationId ? { correlationId: query.correlationId } : { detailType: query.detailType ?? 'order.placed' },
    );
    const items: unknown[] = [];
    for (const tenant of ['A', 'B']) {
      const response = await fetch(`${url}/events?${params}`, { headers: this.tenantCaller(s, tenant) });
      const body = (await response.json()) as { items?: unknown[] };
      if (!response.ok) return { status: response.status, body };
      items.push(...(body.items ?? []));
    }
    return { status: 200, body: { items } };
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
