import type { APIGatewayProxyEventV2 } from 'aws-lambda';
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
