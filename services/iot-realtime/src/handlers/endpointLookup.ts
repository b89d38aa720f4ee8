import { Logger } from '@aws-lambda-powertools/logger';
import { DescribeEndpointCommand, IoTClient } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { endpointResourceResponse, sendCustomResourceResponse } from '../endpoint/endpointResource.js';

const logger = new Logger();
const iot = new IoTClient({});

/** `Custom::IotEndpoint`: the account's IoT data endpoint (`iot:Data-ATS`), which CloudFormation has no attribute for. */
export const handler = async (event: CloudFormationCustomResourceEvent, context?: Context) => {
  if (context) logger.addContext(context);
  const response = await endpointResourceResponse(event, async (endpointType) => {
    const { endpointAddress } = await iot.send(new DescribeEndpointCommand({ endpointType }));
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
