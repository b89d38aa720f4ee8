import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventPublisher, requiredEnv } from '@blueprints/common';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorResponse, jsonBody, jsonResponse } from '../http/responses.js';
import { correlationIdFromHeaders, publishEvents } from '../publishing/publishEvents.js';
import { parsePublishRequest } from '../publishing/publishRequest.js';
import { callerTenant } from '../tenancy/callerTenant.js';

const EVENT_BUS_NAME = requiredEnv('EVENT_BUS_NAME');
const EVENT_SOURCE = requiredEnv('EVENT_SOURCE');
const TENANT_ROLE_PREFIX = requiredEnv('TENANT_ROLE_PREFIX');

// The publisher owns retries (per entry, with backoff); SDK-level retries would multiply them. Short
// timeouts keep a retry budget inside the function timeout when the network misbehaves.
const client = new EventBridgeClient({
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
});
const logger = new Logger();

/** `POST /events`: publishes one event or `{ events: [...] }` of the caller's tenant under one correlationId. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  try {
    const tenant = callerTenant(event, TENANT_ROLE_PREFIX);
    const inputs = parsePublishRequest(jsonBody(event), tenant);
    const correlationId = correlationIdFromHeaders(event.headers);
    const publisher = new EventPublisher({
      client,
      eventBusName: EVENT_BUS_NAME,
      source: EVENT_SOURCE,
      ...(correlationId ? { correlationId } : {}),
    });
    const result = await publishEvents(publisher, inputs);
    logger.info('events published', { tenant, correlationId: result.correlationId, count: result.events.length });
    return jsonResponse(200, result);
  } catch (error) {
    return errorResponse(error, logger);
  }
};
