import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { ConnectionTarget, PasswordProvider } from '../../src/database/index.js';

/** An HTTP API (payload v2) `GET /articles` event with the given query string parameters. */
export function articlesRequest(query: Record<string, string> | undefined): APIGatewayProxyEventV2 {
  const rawQueryString = new URLSearchParams(query ?? {}).toString();
  return {
    version: '2.0',
    routeKey: 'GET /articles',
    rawPath: '/articles',
    rawQueryString,
    headers: { accept: 'application/json' },
    queryStringParameters: query,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'GET', path: '/articles', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'test-request',
      routeKey: 'GET /articles',
      stage: '$default',
      time: '25/Nov/2026:00:00:00 +0000',
      timeEpoch: 1795564800000,
    },
    isBase64Encoded: false,
  };
}

/** A password provider that records every call (one call = one new connection). */
export function countingPasswordProvider(password: string): PasswordProvider & { calls: ConnectionTarget[] } {
  const calls: ConnectionTarget[] = [];
  const provider = async (target: ConnectionTarget) => {
    calls.push(target);
    return password;
  };
  return Object.assign(provider, { calls });
}

/** The function timeout serverless.yml gives `version` and `articles` (the provider default). */
export const FUNCTION_TIMEOUT_MS = 10_000;

/**
 * A Lambda context whose clock starts now: `getRemainingTimeInMillis()` counts down from
 * `timeoutMs`, as the runtime's does, so handlers size their database budgets from it.
 */
export function lambdaContext(timeoutMs = FUNCTION_TIMEOUT_MS, functionName = 'rds-proxy-demo-test'): Context {
  const startedAt = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'test-request',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - startedAt)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
