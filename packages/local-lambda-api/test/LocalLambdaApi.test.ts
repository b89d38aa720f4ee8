import { request } from 'node:http';
import {
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  RequestTooLargeException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import type { LocalLambda } from '@blueprints/local-runtime';
import { LocalLambdaApi } from '../src/index.js';
import { recorded } from './fixtures/src/handlers/orders.js';
import { ordersLambda } from './helpers/factories.js';

let lambda: LocalLambda;
let api: LocalLambdaApi;
let client: LambdaClient;

beforeAll(async () => {
  lambda = ordersLambda();
  api = await LocalLambdaApi.start({
    invoker: (name) => (lambda.functions.some((fn) => fn.name === name) ? lambda : undefined),
  });
  client = new LambdaClient({
    endpoint: api.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await api.close();
});

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const text = (payload: Uint8Array | undefined) => new TextDecoder().decode(payload);
const decodeLog = (logResult: string | undefined) => Buffer.from(logResult ?? '', 'base64').toString('utf8');

describe('Class: LocalLambdaApi', () => {
  it("returns the handler's result to the SDK's Invoke, by name and by ARN with $LATEST", async () => {
    // Act
    const byName = await client.send(new InvokeCommand({ FunctionName: 'orders-dev-echo', Payload: json({ id: 1 }) }));
    const byArn = await client.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:orders-dev-echo',
        Qualifier: '$LATEST',
        Payload: json({ id: 2 }),
      }),
    );

    // Assess
    for (const [response, id] of [
      [byName, 1],
      [byArn, 2],
    ] as const) {
      expect(response).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
      expect(response.FunctionError).toBeUndefined();
      const body = JSON.parse(text(response.Payload));
      expect(body).toEqual({ received: { id }, requestId: expect.any(String) });
      expect(response.$metadata.requestId).toBe(body.requestId);
    }
  });

  it("gives the handler an empty object when the payload is empty, and answers null for a handler's undefined", async () => {
    // Act
    const echoed = await client.send(new InvokeCommand({ FunctionName: 'orders-dev-echo' }));
    const nothing = await client.send(
      new InvokeCommand({ FunctionName: 'orders-dev-chatty', Payload: json({ lines: 0 }) }),
    );

    // Assess
    expect(JSON.parse(text(echoed.Payload)).received).toEqual({});
    expect(text(nothing.Payload)).toBe('null');
  });

  it('returns a handler error as FunctionError Unhandled with errorType, errorMessage and its trace', async () => {
    // Act
    const response = await client.send(
      new InvokeCommand({ FunctionName: 'orders-dev-reject', Payload: json({ orderId: 'o-7' }), LogType: 'Tail' }),
    );

    // Assess
    expect(response).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    const body = JSON.parse(text(response.Payload));
    expect(body).toMatchObject({ errorType: 'OrderRejectedError', errorMessage: 'order o-7 has no lines' });
    expect(body.trace[0]).toBe('OrderRejectedError: order o-7 has no lines');
    expect(body.trace.join('\n')).toMatch(/at reject \(.*fixtures\/src\/handlers\/orders\.ts:\d+:\d+\)/);
    // The frames of the local runtime and this API, where Lambda shows its runtime's, are left out.
    expect(body.trace.join('\n')).not.toMatch(/local-runtime|local-lambda-api\/src/);
    const log = decodeLog(response.LogResult);
    expect(log).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"OrderRejectedError"/);
    expect(log).toMatch(/\tStatus: error\n$/);
  });

  it("returns the last 4 KB of the invocation's log, base64, with LogType Tail", async () => {
    // Act
    const short = await client.send(new InvokeCommand({ FunctionName: 'orders-dev-echo', LogType: 'Tail' }));
    const long = await client.send(
      new InvokeCommand({ FunctionName: 'orders-dev-chatty', Payload: json({ lines: 100 }), LogType: 'Tail' }),
    );

    // Assess
    const shortLog = decodeLog(short.LogResult).trimEnd().split('\n');
    expect(shortLog[0]).toMatch(/^START RequestId: [\w-]+ Version: \$LATEST$/);
    expect(JSON.parse(shortLog[1] as string)).toMatchObject({ level: 'INFO', message: 'echoing the event' });
    expect(shortLog.at(-1)).toMatch(/^REPORT RequestId: [\w-]+\tDuration: [\d.]+ ms\t/);
    const longLog = decodeLog(long.LogResult);
    expect(Buffer.byteLength(longLog)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(longLog)).toBeGreaterThan(3900);
    expect(longLog).toContain(`line 0099 ${'x'.repeat(89)}\nEND RequestId: ${long.$metadata.requestId}\nREPORT`);
    expect(longLog).not.toContain('START');
  });

  it('answers 202 to an Event invocation and runs the handler after answering', async () => {
    // Prepare
    const marker = { marker: `event-${Date.now()}` };

    // Act
    const response = await client.send(
      new InvokeCommand({ FunctionName: 'orders-dev-record', InvocationType: 'Event', Payload: json(marker) }),
    );
    const recordedOnAnswer = recorded.includes(marker);
    await api.idle();

    // Assess
    expect(response.StatusCode).toBe(202);
    expect(recordedOnAnswer).toBe(false);
    expect(recorded).toContainEqual(marker);
  });

  it('answers 204 to a DryRun without running the handler', async () => {
    // Prepare
    const before = recorded.length;

    // Act
    const response = await client.send(
      new InvokeCommand({ FunctionName: 'orders-dev-record', InvocationType: 'DryRun', Payload: json({ dry: true }) }),
    );
    await api.idle();

    // Assess
    expect(response.StatusCode).toBe(204);
    expect(recorded.length).toBe(before);
  });

  it('answers 404 ResourceNotFoundException for an unknown function and for a version other than $LATEST', async () => {
    // Act
    const unknown = client.send(new InvokeCommand({ FunctionName: 'orders-dev-missing' }));
    const versioned = client.send(new InvokeCommand({ FunctionName: 'orders-dev-echo', Qualifier: '3' }));
    const dryRun = client.send(new InvokeCommand({ FunctionName: 'orders-dev-missing', InvocationType: 'DryRun' }));

    // Assess
    await expect(unknown).rejects.toThrow(ResourceNotFoundException);
    await expect(unknown).rejects.toMatchObject({
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:orders-dev-missing',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(versioned).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:orders-dev-echo:3',
    });
    await expect(dryRun).rejects.toThrow(ResourceNotFoundException);
  });

  it('refuses payloads over 6 MB (RequestResponse) and 1 MB (Event) with 413 RequestTooLargeException', async () => {
    // Prepare
    const justUnder = new Uint8Array(Buffer.from(JSON.stringify('a'.repeat(1024 * 1024 - 2))));
    const justOver = new Uint8Array(Buffer.from(JSON.stringify('a'.repeat(1024 * 1024 - 1))));
    const overSync = new Uint8Array(Buffer.from(JSON.stringify('b'.repeat(6 * 1024 * 1024))));

    // Act
    const asyncUnder = await client.send(
      new InvokeCommand({ FunctionName: 'orders-dev-record', InvocationType: 'Event', Payload: justUnder }),
    );
    const asyncOver = client.send(
      new InvokeCommand({ FunctionName: 'orders-dev-record', InvocationType: 'Event', Payload: justOver }),
    );
    const syncOver = client.send(new InvokeCommand({ FunctionName: 'orders-dev-echo', Payload: overSync }));

    // Assess
    expect(asyncUnder.StatusCode).toBe(202);
    await expect(asyncOver).rejects.toThrow(RequestTooLargeException);
    await expect(asyncOver).rejects.toMatchObject({
      message: `${1024 * 1024 + 1} byte payload is too large for the Event invocation type (limit 1048576 bytes)`,
      $metadata: { httpStatusCode: 413 },
    });
    await expect(syncOver).rejects.toThrow(RequestTooLargeException);
    await api.idle();
  }, 60_000);

  it('refuses a payload that is not JSON with 400 InvalidRequestContentException', async () => {
    // Act
    const invoked = client.send(
      new InvokeCommand({ FunctionName: 'orders-dev-echo', Payload: new TextEncoder().encode('{"id": 1,') }),
    );

    // Assess
    await expect(invoked).rejects.toThrow(InvalidRequestContentException);
    await expect(invoked).rejects.toMatchObject({
      message: expect.stringMatching(/^Could not parse request body into json: /),
    });
  });

  it('returns Function.ResponseSizeTooLarge for a result over 6 MB', async () => {
    // Act
    const response = await client.send(
      new InvokeCommand({ FunctionName: 'orders-dev-large', Payload: json({ bytes: 6_300_000 }) }),
    );

    // Assess
    expect(response.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(response.Payload))).toEqual({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: `Response payload size (6300002 bytes) exceeded maximum allowed payload size (6291556 bytes).`,
    });
  }, 60_000);

  it("returns Sandbox.Timedout when the handler runs past its function's timeout", async () => {
    // Act
    const response = await client.send(new InvokeCommand({ FunctionName: 'orders-dev-hang', LogType: 'Tail' }));

    // Assess
    expect(response.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(response.Payload))).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${response.$metadata.requestId} Error: Task timed out after 1.00 seconds`,
    });
    expect(decodeLog(response.LogResult)).toMatch(
      /Task timed out after 1\.00 seconds\nEND RequestId: .*\n.*\tStatus: timeout\n$/,
    );
  });

  it('answers 404 UnknownOperationException for other Lambda API operations', async () => {
    // Act
    const answer = await new Promise<{ status: number; type: string | undefined }>((resolve, reject) => {
      const req = request(`${api.endpoint}/2015-03-31/functions/`, { method: 'GET' }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['x-amzn-errortype'] as string }));
      });
      req.on('error', reject);
      req.end();
    });

    // Assess
    expect(answer).toEqual({ status: 404, type: 'UnknownOperationException' });
  });
});
