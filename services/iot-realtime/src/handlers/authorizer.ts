import { Logger } from '@aws-lambda-powertools/logger';
import { IotNamespace, optionalEnv, requiredEnv } from '@blueprints/common';
import type { Context } from 'aws-lambda';
import { authorizeConnection } from '../authorization/authorizeConnection.js';
import type { IotAuthorizerEvent } from '../authorization/credentials.js';
import type { IotAuthorizerResponse } from '../authorization/subjectPolicy.js';
import { createTokenVerifier } from '../authorization/tokenVerifier.js';

const logger = new Logger();

const JWKS_URL = optionalEnv('JWKS_URL', '');
const JWT_ISSUER = optionalEnv('JWT_ISSUER', '');
const JWT_AUDIENCE = optionalEnv('JWT_AUDIENCE', '');
const verifyToken = createTokenVerifier({
  ...(JWKS_URL ? { jwksUrl: JWKS_URL } : { secret: requiredEnv('JWT_SECRET') }),
  ...(JWT_ISSUER ? { issuer: JWT_ISSUER } : {}),
  ...(JWT_AUDIENCE ? { audience: JWT_AUDIENCE } : {}),
});
const policy = {
  region: requiredEnv('AWS_REGION'),
  accountId: requiredEnv('ACCOUNT_ID'),
  sensorRuleName: requiredEnv('SENSOR_RULE_NAME'),
  namespace: IotNamespace.parse(requiredEnv('IOT_NAMESPACE')),
};

/** IoT Core custom authorizer: a JWT in the MQTT password (or `?token=`) → a policy scoped to its subject. */
export const handler = async (event: IotAuthorizerEvent, context?: Context): Promise<IotAuthorizerResponse> => {
  if (context) logger.addContext(context);
  const response = await authorizeConnection(event, {
    verifyToken,
    policy,
    onDeny: (reason, details) => logger.warn('Connection denied', { reason, ...details }),
  });
  if (response.isAuthenticated) logger.info('Connection allowed', { principalId: response.principalId });
  return response;
};
