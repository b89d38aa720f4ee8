import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/** What CloudFormation gets back: `Fn::GetAtt IotEndpoint.Address`. */
export interface EndpointData {
  Address: string;
}

export interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: EndpointData;
}

const ENDPOINT_TYPES = new Set(['iot:Data-ATS', 'iot:CredentialProvider', 'iot:Jobs']);

/**
 * Answers a `Custom::IotEndpoint` request: Create/Update look the endpoint up, Delete has nothing to
 * clean. Any failure becomes a FAILED response (never silence: CloudFormation would wait an hour).
 *
 * @example
 * const response = await endpointResourceResponse(event, (type) => describe(type));
 */
export async function endpointResourceResponse(
  event: CloudFormationCustomResourceEvent,
  describeEndpoint: (endpointType: string) => Promise<string | undefined>,
): Promise<CustomResourceResponse> {
  const endpointType = String(event.ResourceProperties?.EndpointType ?? 'iot:Data-ATS');
  const base = {
    PhysicalResourceId: `iot-endpoint-${endpointType.replace(/[^A-Za-z0-9-]/g, '-')}`,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  if (event.RequestType === 'Delete') return { Status: 'SUCCESS', ...base };
  try {
    if (!ENDPOINT_TYPES.has(endpointType))
      throw new Error(`EndpointType must be one of ${[...ENDPOINT_TYPES].join(', ')}`);
    const address = await describeEndpoint(endpointType);
    if (!address) throw new Error(`DescribeEndpoint returned no address for ${endpointType}`);
    return { Status: 'SUCCESS', ...base, Data: { Address: address } };
  } catch (error) {
    return { Status: 'FAILED', Reason: String((error as Error).message ?? error).slice(0, 1000), ...base };
  }
}

/**
 * PUTs the response to the presigned S3 URL CloudFormation gave. No content type is sent: the URL
 * is signed without one. Rejects when S3 has not answered within `timeoutMs` (default 10 s).
 */
export function sendCustomResourceResponse(
  responseUrl: string,
  response: CustomResourceResponse,
  timeoutMs = 10_000,
): Promise<number> {
  const body = JSON.stringify(response);
  const url = new URL(responseUrl);
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () =>
          (res.statusCode ?? 500) < 300
            ? resolve(res.statusCode ?? 200)
            : reject(new Error(`Custom resource response PUT failed with HTTP ${res.statusCode}`)),
        );
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`Custom resource response PUT got no answer in ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}
