import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { authorizeConnection } from '../authorization/authorizeConnection.js';
import { authorizerConfig } from '../authorization/authorizerConfig.js';
import type { IotAuthorizerEvent } from '../authorization/credentials.js';
import { cachedSecretString, secretsManagerClient } from '../authorization/signingSecret.js';
import type { IotAuthorizerResponse } from '../authorization/subjectPolicy.js';
import { createTokenVerifier } from '../authorization/tokenVerifier.js';

const logger = new Logger();
const config = authorizerConfig();

// The secret's value is never in the environment: only its ARN. It is read at run time and cached
// for JWT_SECRET_MAX_AGE_SECONDS, so a rotation applies within that age, without a deploy.
const verifyToken = createTokenVerifier({
  ...(config.secretId
    ? {
        secret: cachedSecretString(config.secretId, {
          maxAgeSeconds: config.secretMaxAgeSeconds,
          client: () => secretsManagerClient(config.secretRead),
        }),
      }
    : { jwksUrl: config.jwksUrl as string }),
  ...(config.issuer ? { issuer: config.issuer } : {}),
  ...(config.audience ? { audience: config.audience } : {}),
  maxLifetimeSeconds: config.maxLifetimeSeconds,
  clockToleranceSeconds: config.clockToleranceSeconds,
});

/** IoT Core custom authorizer: a JWT in the MQTT password (or `?token=`) → a policy scoped to its subject. */
export const handler = async (event: IotAuthorizerEvent, context?: Context): Promise<IotAuthorizerResponse> => {
  if (context) logger.addContext(context);
  const response = await authorizeConnection(event, {
    verifyToken,
    policy: config.policy,
    onDeny: (reason, details) => {
      // A secret that cannot be read denies everyone: that is an outage, not a bad client.
      if (details.serverFault) logger.error('Connection denied: signing secret unavailable', { reason, ...details });
      else logger.warn('Connection denied', { reason, ...details });
    },
  });
  if (response.isAuthenticated) logger.info('Connection allowed', { principalId: response.principalId });
  return response;
};
