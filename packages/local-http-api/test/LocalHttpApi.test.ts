import { functionsFromTemplate, type Handler, LocalLambda } from '@blueprints/local-runtime';
import { type CfnTemplate, TemplateResolver } from '@blueprints/packaging';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { httpRoutesFromTemplate, LOCAL_IAM_CALLER_HEADER, LocalHttpApi, matchRoutePath } from '../src/index.js';

const stack = { stackName: 'demo-dev', region: 'us-east-1', accountId: '000000000000' };

/** The resources osls generates for `events: - httpApi: ...` on two functions. */
function template(): CfnTemplate {
  const fn = (name: string) => ({
    Type: 'AWS::Lambda::Function',
    Properties: { FunctionName: `demo-dev-${name}`, Handler: `src/handlers/${name}.handler` },
  });
  const integration = (fn: string) => ({
    Type: 'AWS::ApiGatewayV2::Integration',
    Properties: {
      ApiId: { Ref: 'HttpApi' },
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [fn, 'Arn'] },
      PayloadFormatVersion: '2.0',
    },
  });
  const route = (key: string, integrationId: string, authorizationType?: string) => ({
    Type: 'AWS::ApiGatewayV2::Route',
    Properties: {
      ApiId: { Ref: 'HttpApi' },
      RouteKey: key,
      Target: { 'Fn::Join': ['/', ['integrations', { Ref: integrationId }]] },
      ...(authorizationType ? { AuthorizationType: authorizationType } : {}),
    },
  });
  return {
    Resources: {
      HttpApi: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'dev-demo', ProtocolType: 'HTTP' } },
      EchoLambdaFunction: fn('echo'),
      ItemLambdaFunction: fn('item'),
      HttpApiIntegrationEcho: integration('EchoLambdaFunction'),
      HttpApiIntegrationItem: integration('ItemLambdaFunction'),
      HttpApiRoutePostEvents: route('POST /events', 'HttpApiIntegrationEcho'),
      HttpApiRouteGetEventsId: route('GET /events/{id}', 'HttpApiIntegrationItem'),
      HttpApiRouteGetEventsLatest: route('GET /events/latest', 'HttpApiIntegrationEcho'),
      HttpApiRoutePostPrivate: route('POST /private', 'HttpApiIntegrationEcho', 'AWS_IAM'),
    },
  };
}

describe('Class: LocalHttpApi', () => {
  let api: LocalHttpApi;
  const events: APIGatewayProxyEventV2[] = [];

  beforeAll(async () => {
    // Prepare
    const resolver = new TemplateResolver(template(), stack);
    const handlers: Record<string, Handler> = {
      'demo-dev-echo': async (event: APIGatewayProxyEventV2) => {
        events.push(event);
        if (event.body === 'boom') throw new Error('handler failed');
        return { statusCode: 201, headers: { 'X-Route': event.routeKey }, body: event.body ?? 'none' };
      },
      'demo-dev-item': async (event: APIGatewayProxyEventV2) => ({
        id: event.pathParameters?.id,
        q: event.queryStringParameters,
      }),
    };
    const lambda = new LocalLambda(functionsFromTemplate(resolver), async (fn) => handlers[fn.name]!);
    api = await LocalHttpApi.start(httpRoutesFromTemplate(resolver), lambda);
  });

  afterAll(() => api.close());

  it('invokes the route’s function with a payload 2.0 event and returns its structured response', async () => {
    // Act
    const res = await fetch(`${api.url}/events?x=1`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });

    // Assess
    expect(res.status).toBe(201);
    expect(res.headers.get('x-route')).toBe('POST /events');
    expect(await res.text()).toBe('{"a":1}');
    expect(events.at(-1)).toEqual(
      expect.objectContaining({
        version: '2.0',
        routeKey: 'POST /events',
        rawPath: '/events',
        rawQueryString: 'x=1',
        queryStringParameters: { x: '1' },
        isBase64Encoded: false,
        requestContext: expect.objectContaining({ http: expect.objectContaining({ method: 'POST', path: '/events' }) }),
      }),
    );
  });

  it('passes path parameters and turns a plain result into a 200 JSON body', async () => {
    const res = await fetch(`${api.url}/events/abc%20d?q=1&q=2`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'abc d', q: { q: '1,2' } });
  });

  it('prefers an exact path over a parameter', async () => {
    const res = await fetch(`${api.url}/events/latest`);
    expect(res.headers.get('x-route')).toBe('GET /events/latest');
  });

  it('answers 404 for an unknown route and 500 when the function throws', async () => {
    expect((await fetch(`${api.url}/nope`)).status).toBe(404);
    expect((await fetch(`${api.url}/events`, { method: 'PUT' })).status).toBe(404);
    const failed = await fetch(`${api.url}/events`, { method: 'POST', body: 'boom' });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
  });
});

describe('Class: LocalHttpApi, AWS_IAM routes', () => {
  let api: LocalHttpApi;
  const events: APIGatewayProxyEventV2[] = [];
  const caller = 'arn:aws:sts::111122223333:assumed-role/tenant-role/session-1';

  beforeAll(async () => {
    const resolver = new TemplateResolver(template(), stack);
    const lambda = new LocalLambda(
      functionsFromTemplate(resolver),
      async () => async (event: APIGatewayProxyEventV2) => {
        events.push(event);
        return { statusCode: 200, body: 'ok' };
      },
    );
    api = await LocalHttpApi.start(httpRoutesFromTemplate(resolver), lambda);
  });

  afterAll(() => api.close());

  it('answers 403 without invoking the function when the request names no IAM caller', async () => {
    // Act
    const unsigned = await fetch(`${api.url}/private`, { method: 'POST', body: '{}' });
    const malformed = await fetch(`${api.url}/private`, {
      method: 'POST',
      body: '{}',
      headers: { [LOCAL_IAM_CALLER_HEADER]: 'tenant-role' },
    });

    // Assess
    expect([unsigned.status, malformed.status]).toEqual([403, 403]);
    expect(await unsigned.json()).toEqual({ message: 'Forbidden' });
    expect(events).toHaveLength(0);
  });

  it('puts the local caller into requestContext.authorizer.iam and hides the header from the function', async () => {
    // Act
    const res = await fetch(`${api.url}/private`, {
      method: 'POST',
      body: '{}',
      headers: { [LOCAL_IAM_CALLER_HEADER]: caller },
    });

    // Assess
    expect(res.status).toBe(200);
    const event = events.at(-1) as APIGatewayProxyEventV2;
    expect((event.requestContext as { authorizer?: unknown }).authorizer).toEqual({
      iam: expect.objectContaining({ userArn: caller, accountId: '111122223333' }),
    });
    expect(event.headers[LOCAL_IAM_CALLER_HEADER]).toBeUndefined();
  });

  it('passes no IAM identity on a route without IAM authorization, whatever the header says', async () => {
    // Act
    await fetch(`${api.url}/events`, { method: 'POST', body: '{}', headers: { [LOCAL_IAM_CALLER_HEADER]: caller } });

    // Assess
    const event = events.at(-1) as APIGatewayProxyEventV2;
    expect(event.routeKey).toBe('POST /events');
    expect((event.requestContext as { authorizer?: unknown }).authorizer).toBeUndefined();
    expect(event.headers[LOCAL_IAM_CALLER_HEADER]).toBeUndefined();
  });
});

describe('Function: matchRoutePath()', () => {
  it.each([
    ['/a/{id}', '/a/1', { id: '1' }],
    ['/a/{proxy+}', '/a/b/c', { proxy: 'b/c' }],
    ['/a', '/a/', {}],
    ['/a/{id}', '/a', undefined],
    ['/a/{id}', '/a/1/2', undefined],
  ])('%s against %s', (route, path, expected) => {
    expect(matchRoutePath(route, path)).toEqual(expected);
  });
});
