import { Logger } from '@aws-lambda-powertools/logger';
import { DescribeEndpointCommand, IoTClient } from '@aws-sdk/client-iot';
import { awsClientConfig, onFirstUse } from '@blueprints/common';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { endpointResourceResponse, sendCustomResourceResponse } from '../endpoint/endpointResource.js';

const logger = new Logger();
// Half of the 30 s timeout for the lookup, so the response always reaches CloudFormation in time
// (a custom resource that never answers holds the stack for an hour).
// Built on the first request, not at init (see onFirstUse).
const iot = onFirstUse(() => new IoTClient(awsClientConfig({ functionTimeoutMs: 30_000, callShare: 0.5 })));

/** `Custom::IotEndpoint`: the account's IoT data endpoint (`iot:Data-ATS`), which CloudFormation has no attribute for. */
export const handler = async (event: CloudFormationCustomResourceEvent, context?: Context) => {
  if (context) logger.addContext(context);
  const response = await endpointResourceResponse(event, async (endpointType) => {
    const { endpointAddress } = await iot().send(new DescribeEndpointCommand({ endpointType }));
    return endpointAddress;
  });
  logger.info('Custom resource response', {
    requestType: event.RequestType,
    status: response.Status,
    reason: response.Reason,
  });
  await sendCustomResourceResponse(event.ResponseURL, response);
  return response;
};
