import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventPublisher, listEnv, requiredEnv } from '@blueprints/common';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError, jsonBody, jsonResponse } from '../http/responses.js';
import { correlationIdFromHeaders, publishEvents } from '../publishing/publishEvents.js';
import { parsePublishRequest } from '../publishing/publishRequest.js';

const EVENT_BUS_NAME = requiredEnv('EVENT_BUS_NAME');
const EVENT_SOURCE = requiredEnv('EVENT_SOURCE');
const TENANT_KEYED_DETAIL_TYPES = listEnv('TENANT_KEYED_DETAIL_TYPES');

// The publisher owns retries (per entry, with backoff); SDK-level retries would multiply them. Short
// timeouts keep a retry budget inside the function timeout when the network misbehaves.
const client = new EventBridgeClient({
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
});
const logger = new Logger();

/** `POST /events`: publishes one event or `{ events: [...] }` under one correlationId. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  try {
    const inputs = parsePublishRequest(jsonBody(event), TENANT_KEYED_DETAIL_TYPES);
    const correlationId = correlationIdFromHeaders(event.headers);
    const publisher = new EventPublisher({
      client,
      eventBusName: EVENT_BUS_NAME,
      source: EVENT_SOURCE,
      ...(correlationId ? { correlationId } : {}),
    });
    const result = await publishEvents(publisher, inputs);
    logger.info('events published', { correlationId: result.correlationId, count: result.events.length });
    return jsonResponse(200, result);
  } catch (error) {
    if (error instanceof HttpError) {
      (error.statusCode >= 500 ? logger.error : logger.warn).call(logger, error.message, {
        errors: error.details,
        ...error.extra,
      });
      return error.toResponse();
    }
    logger.error('publish failed', error as Error);
    return jsonResponse(500, { message: 'Internal error' });
  }
};
