import { Logger } from '@aws-lambda-powertools/logger';
import { requiredEnv } from '@blueprints/common';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError, jsonResponse } from '../http/responses.js';
import { parseEventQuery } from '../querying/queryRequest.js';
import { dynamoDbClient, EventStore } from '../storage/EventStore.js';
import { InvalidPageTokenError } from '../storage/pageToken.js';

const TABLE_NAME = requiredEnv('TABLE_NAME');

const store = new EventStore(dynamoDbClient(), TABLE_NAME);
const logger = new Logger();

/** `GET /events/{id}`, `GET /events?correlationId=…` (sequence order), `GET /events?detailType=…` (time order). */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  try {
    const query = parseEventQuery(event.pathParameters?.id, event.queryStringParameters);
    switch (query.kind) {
      case 'byId': {
        const found = await store.get(query.id);
        return found ? jsonResponse(200, found) : jsonResponse(404, { message: `No event ${query.id}` });
      }
      case 'byCorrelation':
        return jsonResponse(200, await store.byCorrelation(query.correlationId, query));
      case 'byDetailType':
        return jsonResponse(200, await store.byDetailType(query.detailType, query));
    }
  } catch (error) {
    if (error instanceof HttpError) return error.toResponse();
    if (error instanceof InvalidPageTokenError) return jsonResponse(400, { message: error.message });
    logger.error('query failed', error as Error);
    return jsonResponse(500, { message: 'Internal error' });
  }
};
