import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/**
 * One local HTTP server playing both sides the function talks to: IoT's DescribeEndpoint
 * (`GET /endpoint?endpointType=...`) and the presigned S3 URL CloudFormation waits on (`PUT /cfn/...`).
 */
let server: Server;
let base: string;
const responses: Array<{ path: string; contentType: string | undefined; body: Record<string, unknown> }> = [];
let describeStatus = 200;

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (chunk) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const body = await readBody(req);
    if (req.method === 'GET' && url.pathname === '/endpoint') {
      res.writeHead(describeStatus, { 'content-type': 'application/json' });
      res.end(
        describeStatus === 200
          ? JSON.stringify({
              endpointAddress: `abc123-ats.iot.us-east-1.amazonaws.com#${url.searchParams.get('endpointType')}`,
            })
          : JSON.stringify({ message: 'User is not authorized to perform: iot:DescribeEndpoint' }),
      );
      return;
    }
    if (req.method === 'PUT' && url.pathname.startsWith('/cfn/')) {
      responses.push({ path: url.pathname, contentType: req.headers['content-type'], body: JSON.parse(body) });
      res.writeHead(200);
      res.end();
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_IOT: base,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function customResourceEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  path: string,
): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:iot-realtime-dev-endpointLookup',
    ResponseURL: `${base}/cfn/${path}`,
    StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/iot-realtime-dev/1',
    RequestId: `request-${path}`,
    ResourceType: 'Custom::IotEndpoint',
    LogicalResourceId: 'IotEndpoint',
    ResourceProperties: { ServiceToken: 'x', EndpointType: 'iot:Data-ATS' },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'iot-endpoint-iot-Data-ATS', OldResourceProperties: {} }),
  } as CloudFormationCustomResourceEvent;
}

describe('Function: handler() (endpointLookup)', () => {
  it('answers Create with the iot:Data-ATS address as the Address attribute', async () => {
    // Prepare
    const { handler } = await import('../src/handlers/endpointLookup.js');
    describeStatus = 200;

    // Act
    await handler(customResourceEvent('Create', 'create'));

    // Assess
    const response = responses.find((r) => r.path === '/cfn/create');
    expect(response?.contentType).toBe('');
    expect(response?.body).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: 'iot-endpoint-iot-Data-ATS',
      StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/iot-realtime-dev/1',
      RequestId: 'request-create',
      LogicalResourceId: 'IotEndpoint',
      Data: { Address: 'abc123-ats.iot.us-east-1.amazonaws.com#iot:Data-ATS' },
    });
  });

  it('answers FAILED with the reason when the lookup is refused, instead of leaving the stack waiting', async () => {
    // Prepare
    const { handler } = await import('../src/handlers/endpointLookup.js');
    describeStatus = 403;

    // Act
    await handler(customResourceEvent('Update', 'update'));

    // Assess
    const response = responses.find((r) => r.path === '/cfn/update');
    expect(response?.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'iot-endpoint-iot-Data-ATS' });
    expect(String(response?.body.Reason)).toMatch(/not authorized/);
  });

  it('answers Delete with SUCCESS without looking anything up', async () => {
    // Prepare
    const { handler } = await import('../src/handlers/endpointLookup.js');
    describeStatus = 500;

    // Act
    await handler(customResourceEvent('Delete', 'delete'));

    // Assess
    expect(responses.find((r) => r.path === '/cfn/delete')?.body).toMatchObject({ Status: 'SUCCESS' });
  });
});
