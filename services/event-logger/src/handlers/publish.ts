import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { awsClientConfig, Deadline, EventPublisher, integerEnv, onFirstUse, requiredEnv } from '@blueprints/common';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { errorResponse, jsonBody, jsonResponse } from '../http/responses.js';
import { correlationIdFromHeaders, publishEvents } from '../publishing/publishEvents.js';
import { parsePublishRequest } from '../publishing/publishRequest.js';
import { callerTenant } from '../tenancy/callerTenant.js';

const EVENT_BUS_NAME = requiredEnv('EVENT_BUS_NAME');
const EVENT_SOURCE = requiredEnv('EVENT_SOURCE');
const TENANT_ROLE_PREFIX = requiredEnv('TENANT_ROLE_PREFIX');
const FUNCTION_TIMEOUT_MS = integerEnv('FUNCTION_TIMEOUT_MS', Number(requiredEnv('FUNCTION_TIMEOUT_MS')), {
  min: 3_000,
  max: 900_000,
});

// The publisher owns retries (per entry, with backoff, until the deadline): the SDK makes one attempt per
// call, and one attempt may take at most 30% of the function timeout, so a stalled call leaves room to retry.
// Built on the first request, not at init (see onFirstUse).
const eventBridge = onFirstUse(
  () =>
    new EventBridgeClient(awsClientConfig({ functionTimeoutMs: FUNCTION_TIMEOUT_MS, maxAttempts: 1, callShare: 0.3 })),
);
const logger = new Logger();

/**
 * `POST /events`: publishes one event or `{ events: [...] }` of the caller's tenant under one correlationId.
 * Answers before the function timeout: 200 when every event was published, else 502 listing each event as
 * published, failed or unknown.
 */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<APIGatewayProxyStructuredResultV2> => {
  // 1.5 s kept back to shape and return the answer, even on a slow, shared host.
  const deadline = Deadline.fromContext(context, { safetyMarginMs: 1_500 });
  try {
    const tenant = callerTenant(event, TENANT_ROLE_PREFIX);
    const inputs = parsePublishRequest(jsonBody(event), tenant);
    const correlationId = correlationIdFromHeaders(event.headers);
    const publisher = new EventPublisher({
      client: eventBridge(),
      eventBusName: EVENT_BUS_NAME,
      source: EVENT_SOURCE,
      ...(correlationId ? { correlationId } : {}),
    });
    const result = await publishEvents(publisher, inputs, deadline);
    logger.info('events published', { tenant, correlationId: result.correlationId, count: result.events.length });
    return jsonResponse(200, result);
  } catch (error) {
    return errorResponse(error, logger);
  } finally {
    deadline.dispose();
  }
};
