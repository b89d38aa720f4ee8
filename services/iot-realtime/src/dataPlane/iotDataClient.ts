import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { awsClientConfig } from '@blueprints/common';

/**
 * An IoT data plane client for the account's `iot:Data-ATS` endpoint, with common's timeouts sized
 * from the function's timeout (a stalled endpoint fails the call in time instead of hanging). When
 * `AWS_ENDPOINT_URL_IOT_DATA_PLANE` is set (a local gateway), it is left to the SDK, which honours
 * that variable only when no endpoint is given in code.
 *
 * @example
 * const iotData = iotDataClient(process.env.IOT_ENDPOINT!);
 */
export function iotDataClient(
  iotEndpoint: string,
  env: Record<string, string | undefined> = process.env,
  functionTimeoutMs = 10_000,
) {
  const config = awsClientConfig({ functionTimeoutMs });
  if (env.AWS_ENDPOINT_URL_IOT_DATA_PLANE || env.AWS_ENDPOINT_URL) return new IoTDataPlaneClient(config);
  return new IoTDataPlaneClient({ ...config, endpoint: `https://${iotEndpoint}` });
}
