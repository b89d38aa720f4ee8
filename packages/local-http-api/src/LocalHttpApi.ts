import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalLambda } from '@blueprints/local-runtime';
import type { TemplateResolver } from '@blueprints/packaging';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** One `AWS::ApiGatewayV2::Route` of a template and the function its integration calls. */
export interface LocalHttpRoute {
  routeKey: string;
  method: string;
  path: string;
  functionArn: string;
  /** The route's `AuthorizationType` (`NONE`, `AWS_IAM`, `JWT`, `CUSTOM`). */
  authorizationType: string;
}

/**
 * Local only: the IAM principal a caller acts as on an `AWS_IAM` route, e.g.
 * `arn:aws:sts::123456789012:assumed-role/my-role/my-session`. API Gateway learns it from the SigV4
 * signature, which the local API does not verify; it puts the principal into
 * `requestContext.authorizer.iam` as API Gateway does and removes the header, so no function ever sees it.
 */
export const LOCAL_IAM_CALLER_HEADER = 'x-local-iam-caller';

const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):[\w+=,.@/-]{1,512}$/;

/** Reads the HTTP API routes (`events: - httpApi`) of a packaged template. */
export function httpRoutesFromTemplate(resolver: TemplateResolver): LocalHttpRoute[] {
  const resources = resolver.template.Resources;
  const routes: LocalHttpRoute[] = [];
  for (const [id, route] of Object.entries(resources)) {
    if (route.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const routeKey = String(route.Properties?.RouteKey);
    const target = resolver.resolve(route.Properties?.Target, `${id}.Target`);
    const integrationId = Object.keys(resources).find(
      (key) =>
        resources[key]?.Type === 'AWS::ApiGatewayV2::Integration' && target === `integrations/${resolver.ref(key)}`,
    );
    const integration = integrationId ? resources[integrationId] : undefined;
    if (!integration) throw new Error(`Route ${routeKey} (${id}) has no integration in the template`);
    const functionArn = String(
      resolver.resolve(integration.Properties?.IntegrationUri, `${integrationId}.IntegrationUri`),
    );
    const [method, path] = routeKey === '$default' ? ['ANY', '/{proxy+}'] : (routeKey.split(' ') as [string, string]);
    const authorizationType = String(route.Properties?.AuthorizationType ?? 'NONE');
    routes.push({ routeKey, method, path, functionArn, authorizationType });
  }
  return routes;
}

/** Matches a request path against a route path with `{name}` and greedy `{name+}` parameters. */
export function matchRoutePath(routePath: string, requestPath: string): Record<string, string> | undefined {
  const route = routePath.split('/').filter(Boolean);
  const request = requestPath.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < route.length; i++) {
    const part = route[i]!;
    const greedy = part.match(/^\{(.+)\+\}$/);
    if (greedy) {
      if (i >= request.length) return undefined;
      params[greedy[1]!] = request.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const value = request[i];
    if (value === undefined) return undefined;
    const param = part.match(/^\{(.+)\}$/);
    if (param) params[param[1]!] = decodeURIComponent(value);
    else if (part !== value) return undefined;
  }
  return route.length === request.length ? params : undefined;
}

/** Route selection like API Gateway: exact paths before parameters, greedy paths last. */
function specificity(route: LocalHttpRoute): number[] {
  return route.path
    .split('/')
    .filter(Boolean)
    .map((p) => (p.endsWith('+}') ? 0 : p.startsWith('{') ? 1 : 2));
}

function byPrecedence(a: LocalHttpRoute, b: LocalHttpRoute): number {
  const sa = specificity(a);
  const sb = specificity(b);
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const d = (sb[i] ?? -1) - (sa[i] ?? -1);
    if (d !== 0) return d;
  }
  return (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+json)/i;

export interface LocalHttpApiOptions {
  port?: number;
  host?: string;
  region?: string;
  accountId?: string;
  /** Called after each request, for logs and dashboards. */
  onRequest?: (entry: { routeKey: string; status: number; ms: number; error?: unknown }) => void;
}

/**
 * An HTTP API (API Gateway v2, payload format 2.0) in front of local functions: the same routes the
 * template deploys, the same event and response shapes.
 *
 * @example
 * const api = await LocalHttpApi.start(httpRoutesFromTemplate(resolver), lambda, { port: 0 });
 * await fetch(`${api.url}/articles?type=news`);
 */
export class LocalHttpApi {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(
    routes: LocalHttpRoute[],
    lambda: LocalLambda,
    options: LocalHttpApiOptions = {},
  ): Promise<LocalHttpApi> {
    const sorted = [...routes].sort(byPrecedence);
    const server = createServer((req, res) => {
      handle(req, res, sorted, lambda, options).catch((error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal Server Error' }));
        options.onRequest?.({ routeKey: '?', status: 500, ms: 0, error });
      });
    });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new LocalHttpApi(server, `http://${host}:${port}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  routes: LocalHttpRoute[],
  lambda: LocalLambda,
  options: LocalHttpApiOptions,
): Promise<void> {
  const started = Date.now();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  let pathParameters: Record<string, string> | undefined;
  const route = routes.find((r) => {
    if (r.method !== 'ANY' && r.method !== method) return false;
    pathParameters = matchRoutePath(r.path, url.pathname);
    return pathParameters !== undefined;
  });
  if (!route) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Not Found' }));
    return;
  }
  const caller = req.headers[LOCAL_IAM_CALLER_HEADER];
  const callerArn = typeof caller === 'string' ? caller : undefined;
  const callerAccount = callerArn ? IAM_PRINCIPAL_ARN.exec(callerArn)?.[1] : undefined;
  if (route.authorizationType === 'AWS_IAM' && !callerAccount) {
    // API Gateway's answer to an unsigned request on an IAM route.
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Forbidden' }));
    options.onRequest?.({ routeKey: route.routeKey, status: 403, ms: Date.now() - started });
    return;
  }
  const body = await readBody(req);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie' || name === LOCAL_IAM_CALLER_HEADER) continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? 'text/plain');
  const now = new Date();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(pathParameters && Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: options.accountId ?? '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(route.authorizationType === 'AWS_IAM' && callerArn && callerAccount
        ? { authorizer: { iam: iamIdentity(callerArn, callerAccount) } }
        : {}),
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };

  let result: unknown;
  try {
    result = await lambda.invoke(route.functionArn, event);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Internal Server Error' }));
    options.onRequest?.({ routeKey: route.routeKey, status: 500, ms: Date.now() - started, error });
    return;
  }
  const response = toHttpResponse(result);
  res.writeHead(response.statusCode, response.headers);
  res.end(response.body);
  options.onRequest?.({ routeKey: route.routeKey, status: response.statusCode, ms: Date.now() - started });
}

/** `requestContext.authorizer.iam` as API Gateway fills it for a signed request from `userArn`. */
function iamIdentity(userArn: string, accountId: string) {
  const session = userArn.split('/').slice(-1)[0] ?? 'local';
  return {
    accessKey: 'ASIALOCALACCESSKEY',
    accountId,
    callerId: `AROALOCALCALLER:${session}`,
    cognitoIdentity: null,
    principalOrgId: null,
    userArn,
    userId: `AROALOCALCALLER:${session}`,
  };
}

/** Payload format 2.0: a result with `statusCode` is used as is; anything else becomes a 200 JSON body. */
export function toHttpResponse(result: unknown): {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
} {
  const structured = result as APIGatewayProxyStructuredResultV2 | undefined;
  if (structured && typeof structured === 'object' && typeof structured.statusCode === 'number') {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(structured.headers ?? {})) headers[k.toLowerCase()] = String(v);
    if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
    const raw = structured.body ?? '';
    return {
      statusCode: structured.statusCode,
      headers,
      body: structured.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8'),
    };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
}
