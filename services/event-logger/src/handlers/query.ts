import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig, Deadline, integerEnv, onFirstUse, requiredEnv } from '@blueprints/common';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  errorResponse,
  HttpError,
  isServiceFailure,
  jsonResponse,
  ServiceUnavailableError,
} from '../http/responses.js';
import { parseEventQuery } from '../querying/queryRequest.js';
import { EventStore } from '../storage/EventStore.js';
import { InvalidPageTokenError } from '../storage/pageToken.js';
import { S3EventBodies } from '../storage/S3EventBodies.js';
import { callerTenant } from '../tenancy/callerTenant.js';

const TABLE_NAME = requiredEnv('TABLE_NAME');
const LARGE_EVENTS_BUCKET = requiredEnv('LARGE_EVENTS_BUCKET');
const TENANT_ROLE_PREFIX = requiredEnv('TENANT_ROLE_PREFIX');
const FUNCTION_TIMEOUT_MS = integerEnv('FUNCTION_TIMEOUT_MS', Number(requiredEnv('FUNCTION_TIMEOUT_MS')), {
  min: 3_000,
  max: 900_000,
});

// Two SDK attempts (one retry for throttling or a lost connection) within half the function timeout.
const clientConfig = () => awsClientConfig({ functionTimeoutMs: FUNCTION_TIMEOUT_MS, maxAttempts: 2 });
// The clients are built on the first request, not at init (see onFirstUse).
const store = onFirstUse(
  () =>
    new EventStore(new DynamoDBClient(clientConfig()), TABLE_NAME, {
      largeBodies: new S3EventBodies(new S3Client(clientConfig()), LARGE_EVENTS_BUCKET),
    }),
);
const logger = new Logger();

/**
 * `GET /events/{id}`, `GET /events?correlationId=…` (sequence order), `GET /events?detailType=…` (time order),
 * the caller's tenant's events only. Answers before the function timeout: a slow or failing table is a 503.
 */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const deadline = Deadline.fromContext(context);
  const call = { abortSignal: deadline.signal() };
  try {
    const tenant = callerTenant(event, TENANT_ROLE_PREFIX);
    const query = parseEventQuery(event.pathParameters?.id, event.queryStringParameters);
    switch (query.kind) {
      case 'byId': {
        const found = await store().get(tenant, query.id, call);
        if (!found) throw new HttpError(404, `No event ${query.id}`);
        return jsonResponse(200, found);
      }
      case 'byCorrelation':
        return jsonResponse(200, await store().byCorrelation(tenant, query.correlationId, query, call));
      case 'byDetailType':
        return jsonResponse(200, await store().byDetailType(tenant, query.detailType, query, call));
    }
  } catch (error) {
    if (error instanceof InvalidPageTokenError) return errorResponse(new HttpError(400, error.message), logger);
    if (isServiceFailure(error)) return errorResponse(new ServiceUnavailableError(error), logger);
    return errorResponse(error, logger);
  } finally {
    deadline.dispose();
  }
};
