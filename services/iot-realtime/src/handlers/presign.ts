import { Logger } from '@aws-lambda-powertools/logger';
import { IotNamespace, integerEnv, optionalEnv, requiredEnv } from '@blueprints/common';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { anonymousConnection, credentialsFromEnvironment } from '../access/anonymousAccess.js';

const logger = new Logger();

const IOT_ENDPOINT = requiredEnv('IOT_ENDPOINT');
const REGION = requiredEnv('AWS_REGION');
const URL_EXPIRES_IN = integerEnv('URL_EXPIRES_IN', 900, { min: 120, max: 3600 });
const NAMESPACE = IotNamespace.parse(requiredEnv('IOT_NAMESPACE'));
const CACHE_MAX_AGE = integerEnv('CACHE_MAX_AGE', 60, { min: 0, max: 300 });
// `ws` only for a local gateway without TLS.
const URL_SCHEME = optionalEnv('IOT_URL_SCHEME', 'wss') === 'ws' ? 'ws' : 'wss';

/**
 * `GET /iot/url`: a presigned IoT WebSocket URL for anonymous, read-only clients. Signed with this
 * function's own role credentials (connect `user-*`, subscribe/receive `news`), so the URL can do
 * exactly that. The same URL is safe to share for a minute, so a CDN may cache it.
 */
export const handler = async (_event: unknown, context?: Context): Promise<APIGatewayProxyResultV2> => {
  if (context) logger.addContext(context);
  const body = anonymousConnection({
    host: IOT_ENDPOINT,
    region: REGION,
    // Read per request: the runtime may rotate the role's credentials in the environment.
    credentials: credentialsFromEnvironment(),
    expiresInSeconds: URL_EXPIRES_IN,
    namespace: NAMESPACE,
    scheme: URL_SCHEME,
  });
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/json',
      'cache-control': `public, max-age=${CACHE_MAX_AGE}, s-maxage=${CACHE_MAX_AGE}`,
      // Read-only and the same for everyone: any page may fetch it.
      'access-control-allow-origin': '*',
    },
    body: JSON.stringify(body),
  };
};
