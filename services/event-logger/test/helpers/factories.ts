import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSEvent, SQSRecord } from 'aws-lambda';
import type { StoredEvent } from '../../src/storage/storedEvent.js';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '123456789012';
/** The packaged template's `tenantRolePrefix` for stage dev. */
export const TENANT_ROLE_PREFIX = 'event-logger-dev-tenant-';

/** The ARN API Gateway reports for a session of tenant `tenant`'s role. */
export function tenantSessionArn(tenant: string, accountId = ACCOUNT_ID): string {
  return `arn:aws:sts::${accountId}:assumed-role/${TENANT_ROLE_PREFIX}${tenant}/test-session`;
}

/** An HTTP API (payload 2.0) event as API Gateway hands it to a function. */
export function httpApiEvent(
  routeKey: string,
  options: {
    body?: unknown;
    rawBody?: string;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    /** The signed-in caller's ARN (`requestContext.authorizer.iam.userArn`); default tenant A; null: none. */
    caller?: string | null;
  } = {},
): APIGatewayProxyEventV2 {
  const caller = options.caller === undefined ? tenantSessionArn('A') : options.caller;
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(caller
        ? {
            authorizer: {
              iam: {
                accessKey: 'ASIATEST',
                accountId: caller.split(':')[4],
                callerId: 'AROATEST:test-session',
                cognitoIdentity: null,
                principalOrgId: null,
                userArn: caller,
                userId: 'AROATEST:test-session',
              },
            },
          }
        : {}),
    } as APIGatewayProxyEventV2['requestContext'],
  };
}

/** A stored event; override any field. */
export function storedEventFactory(overrides: Partial<StoredEvent> = {}): StoredEvent {
  const correlationId = overrides.correlationId ?? randomUUID();
  const sequenceNr = overrides.sequenceNr ?? 1;
  return {
    id: randomUUID(),
    source: 'blueprints.event-logger',
    detailType: 'order.placed',
    time: '2026-01-01T00:00:00Z',
    account: ACCOUNT_ID,
    region: REGION,
    resources: [],
    createdAt: 1_767_225_600_000 + sequenceNr,
    correlationId,
    sequenceNr,
    idempotencyKey: `${correlationId}:${sequenceNr}`,
    persist: true,
    context: { brand: 'A', orderId: `o-${sequenceNr}` },
    ...overrides,
  };
}

/** The EventBridge event (as a rule delivers it) for a stored event. */
export function eventBridgeEventOf(e: StoredEvent): Record<string, unknown> {
  return {
    version: '0',
    id: e.id,
    'detail-type': e.detailType,
    source: e.source,
    account: e.account,
    time: e.time,
    region: e.region,
    resources: e.resources,
    detail: {
      createdAt: e.createdAt,
      correlationId: e.correlationId,
      sequenceNr: e.sequenceNr,
      idempotencyKey: e.idempotencyKey,
      persist: e.persist,
      context: e.context,
    },
  };
}

/** An SQS record carrying `body`, as a Lambda event source mapping delivers it. */
export function sqsRecord(body: unknown, attributes: Partial<SQSRecord['attributes']> = {}): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEVENTBRIDGE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      ...attributes,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:queue`,
    awsRegion: REGION,
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** `bytes` characters of text that gzip cannot shrink much (random base64): forces the claim check. */
export function incompressibleText(bytes: number): string {
  return randomBytes(Math.ceil((bytes * 3) / 4))
    .toString('base64')
    .slice(0, bytes);
}
