import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { requiredEnv } from '@blueprints/common';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorResponse, HttpError, jsonResponse } from '../http/responses.js';
import { parseEventQuery } from '../querying/queryRequest.js';
import { EventStore } from '../storage/EventStore.js';
import { InvalidPageTokenError } from '../storage/pageToken.js';
import { S3EventBodies } from '../storage/S3EventBodies.js';
import { callerTenant } from '../tenancy/callerTenant.js';

const TABLE_NAME = requiredEnv('TABLE_NAME');
const LARGE_EVENTS_BUCKET = requiredEnv('LARGE_EVENTS_BUCKET');
const TENANT_ROLE_PREFIX = requiredEnv('TENANT_ROLE_PREFIX');

const store = new EventStore(
  new DynamoDBClient({ requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 } }),
  TABLE_NAME,
  { largeBodies: new S3EventBodies(new S3Client({}), LARGE_EVENTS_BUCKET) },
);
const logger = new Logger();

/** `GET /events/{id}`, `GET /events?correlationId=…` (sequence order), `GET /events?detailType=…` (time order). */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  try {
    const tenant = callerTenant(event, TENANT_ROLE_PREFIX);
    const query = parseEventQuery(event.pathParameters?.id, event.queryStringParameters);
    switch (query.kind) {
      case 'byId': {
        const found = await store.get(tenant, query.id);
        if (!found) throw new HttpError(404, `No event ${query.id}`);
        return jsonResponse(200, found);
      }
      case 'byCorrelation':
        return jsonResponse(200, await store.byCorrelation(tenant, query.correlationId, query));
      case 'byDetailType':
        return jsonResponse(200, await store.byDetailType(tenant, query.detailType, query));
    }
  } catch (error) {
    if (error instanceof InvalidPageTokenError) return errorResponse(new HttpError(400, error.message), logger);
    return errorResponse(error, logger);
  }
};
