import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { functionErrorPayload, type Invocation, type LocalLambda, readLimitedBody } from '@blueprints/local-runtime';
import {
  functionNotFound,
  invalidParameterValue,
  invalidRequestContent,
  LambdaApiError,
  requestTooLarge,
  unknownOperation,
} from './errors.js';
import { parseFunctionReference } from './functionName.js';

/** Lambda's quota for a synchronous (`RequestResponse`) request payload: 6 MB. */
export const SYNC_REQUEST_MAX_BYTES = 6 * 1024 * 1024;
/** Lambda's quota for an asynchronous (`Event`) request payload: 1 MB since January 2026 (256 KB before). */
export const ASYNC_REQUEST_MAX_BYTES = 1024 * 1024;
/** The largest response Lambda returns from a synchronous invocation (what its error message names). */
export const SYNC_RESPONSE_MAX_BYTES = 6_291_556;
/** `X-Amz-Log-Result` carries the last 4 KB of the invocation's log. */
const LOG_TAIL_BYTES = 4096;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const INVOCATION_TYPES = ['RequestResponse', 'Event', 'DryRun'] as const;
type InvocationType = (typeof INVOCATION_TYPES)[number];

/** Finds the local runtime that runs a function (by name), or `undefined` when no service has it. */
export type FunctionInvoker = (functionName: string) => LocalLambda | undefined;

export interface LocalLambdaApiOptions {
  /** Which `LocalLambda` runs a function: `pnpm dev` has one per service. */
  invoker: FunctionInvoker;
  /** 0 (the default) picks a free port. The server listens on 127.0.0.1 only. */
  port?: number;
  region?: string;
  accountId?: string;
  /** How long `close()` waits for `Event` invocations still running (default 5 s); they cannot be stopped in process. */
  closeTimeoutMs?: number;
}

/** The last `bytes` of a log, not starting inside a UTF-8 character. */
function logTail(log: string, bytes = LOG_TAIL_BYTES): string {
  const buffer = Buffer.from(log, 'utf8');
  if (buffer.length <= bytes) return log;
  let start = buffer.length - bytes;
  while (start < buffer.length && ((buffer[start] as number) & 0xc0) === 0x80) start++;
  return buffer.subarray(start).toString('utf8');
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The Lambda Invoke API on 127.0.0.1 (`AWS_ENDPOINT_URL_LAMBDA`), for the real SDK, `aws lambda
 * invoke` and anything else that calls Lambda: `POST /2015-03-31/functions/<name or ARN>/invocations`
 * with `X-Amz-Invocation-Type` `RequestResponse` (the default: the handler's result, or its error
 * as `X-Amz-Function-Error: Unhandled` and `{ errorType, errorMessage, trace }`), `Event` (202, runs
 * after the answer) or `DryRun` (204), and `X-Amz-Log-Type: Tail` (`X-Amz-Log-Result`: the last 4 KB
 * of the invocation's log, base64). Payloads over Lambda's quotas get a 413, bodies that are not JSON
 * a 400, unknown functions a 404, as Lambda answers them.
 *
 * @example
 * const api = await LocalLambdaApi.start({ invoker: (name) => (lambda.functions.some((f) => f.name === name) ? lambda : undefined) });
 * // AWS_ENDPOINT_URL_LAMBDA=api.endpoint
 * await api.close();
 */
export class LocalLambdaApi {
  private readonly running = new Set<Promise<unknown>>();
  private readonly server: Server = createServer((req, res) => {
    void this.handle(req, res);
  });
  private port = 0;

  private constructor(private readonly options: Required<Omit<LocalLambdaApiOptions, 'port'>>) {}

  static async start(options: LocalLambdaApiOptions): Promise<LocalLambdaApi> {
    const api = new LocalLambdaApi({
      invoker: options.invoker,
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
      closeTimeoutMs: options.closeTimeoutMs ?? 5000,
    });
    api.server.listen(options.port ?? 0, '127.0.0.1');
    // `once` rejects with the server's 'error' (a busy port) instead.
    await once(api.server, 'listening');
    api.port = (api.server.address() as AddressInfo).port;
    return api;
  }

  /** `http://127.0.0.1:<port>`: what `AWS_ENDPOINT_URL_LAMBDA` is set to. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves when every `Event` invocation started so far has finished (for tests and a clean stop). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Stops listening, drops open connections and waits (up to `closeTimeoutMs`) for running `Event` invocations. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.closeTimeoutMs);
    });
    await Promise.race([this.idle(), bound]);
    clearTimeout(timer);
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const match = INVOKE_PATH.exec(url.pathname);
      if (req.method !== 'POST' || !match) throw unknownOperation(req.method ?? '', url.pathname);
      const invocationType = this.invocationTypeOf(req);
      const { lambda, name } = this.lambdaOf(decodeURIComponent(match[1] as string), url.searchParams.get('Qualifier'));
      if (invocationType === 'DryRun') {
        this.send(res, 204, { 'x-amzn-requestid': requestId });
        return;
      }
      const event = await this.readEvent(req, invocationType);
      if (invocationType === 'Event') {
        const running = lambda.invokeWithLog(name, event, { requestId }).catch(() => undefined);
        this.running.add(running);
        void running.finally(() => this.running.delete(running));
        this.send(res, 202, { 'x-amzn-requestid': requestId });
        return;
      }
      const invocation = await lambda.invokeWithLog(name, event, { requestId });
      this.answer(req, res, invocation);
    } catch (error) {
      const e =
        error instanceof LambdaApiError
          ? error
          : new LambdaApiError('ServiceException', `The local Lambda API failed: ${(error as Error).message}`, 500);
      if (e.statusCode === 413) res.setHeader('connection', 'close');
      const body = JSON.stringify(e);
      this.send(res, e.statusCode, { 'x-amzn-requestid': requestId, 'x-amzn-errortype': e.type }, body);
    }
  }

  private invocationTypeOf(req: IncomingMessage): InvocationType {
    const type = headerOf(req, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (!(INVOCATION_TYPES as readonly string[]).includes(type)) {
      throw invalidParameterValue(`InvocationType "${type}" is not one of ${INVOCATION_TYPES.join(', ')}`);
    }
    const logType = headerOf(req, 'x-amz-log-type');
    if (logType !== undefined && logType !== 'None' && logType !== 'Tail') {
      throw invalidParameterValue(`LogType "${logType}" is not one of None, Tail`);
    }
    return type as InvocationType;
  }

  private lambdaOf(functionName: string, qualifier: string | null): { lambda: LocalLambda; name: string } {
    const reference = parseFunctionReference(functionName, qualifier ?? undefined);
    const { region, accountId } = this.options;
    const arnOf = (name: string, q?: string) =>
      `arn:aws:lambda:${region}:${accountId}:function:${name}${q === undefined ? '' : `:${q}`}`;
    if (!reference) throw functionNotFound(arnOf(functionName));
    // Local functions have no published versions or aliases: `$LATEST` is all there is.
    const lambda =
      reference.qualifier === undefined || reference.qualifier === '$LATEST'
        ? this.options.invoker(reference.name)
        : undefined;
    if (!lambda) throw functionNotFound(arnOf(reference.name, reference.qualifier));
    return { lambda, name: reference.name };
  }

  private async readEvent(req: IncomingMessage, invocationType: 'RequestResponse' | 'Event'): Promise<unknown> {
    const limit = invocationType === 'Event' ? ASYNC_REQUEST_MAX_BYTES : SYNC_REQUEST_MAX_BYTES;
    const read = await readLimitedBody(req, limit);
    if (read.tooLarge) {
      // The body is refused part-way: its declared length says how large it really was.
      const declared = Number(headerOf(req, 'content-length'));
      throw requestTooLarge(
        Number.isInteger(declared) && declared > 0 ? declared : read.bytesRead,
        limit,
        invocationType,
      );
    }
    const text = read.body.toString('utf8');
    // `aws lambda invoke` without --payload sends nothing: the handler gets an empty object.
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch (error) {
      throw invalidRequestContent((error as Error).message);
    }
  }

  private answer(req: IncomingMessage, res: ServerResponse, invocation: Invocation): void {
    const headers: Record<string, string> = {
      'x-amzn-requestid': invocation.requestId,
      'x-amz-executed-version': '$LATEST',
    };
    if (headerOf(req, 'x-amz-log-type') === 'Tail') {
      headers['x-amz-log-result'] = Buffer.from(logTail(invocation.log)).toString('base64');
    }
    let body: string;
    if (invocation.status === 'ok') {
      // A handler that returns nothing answers `null`, as in Lambda.
      body = JSON.stringify(invocation.result ?? null) ?? 'null';
      const size = Buffer.byteLength(body);
      if (size > SYNC_RESPONSE_MAX_BYTES) {
        body = JSON.stringify({
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${SYNC_RESPONSE_MAX_BYTES} bytes).`,
        });
        headers['x-amz-function-error'] = 'Unhandled';
      }
    } else {
      const payload = functionErrorPayload(invocation.error);
      body = JSON.stringify(
        invocation.status === 'timeout'
          ? { errorType: payload.errorType, errorMessage: payload.errorMessage }
          : payload,
      );
      headers['x-amz-function-error'] = 'Unhandled';
    }
    this.send(res, 200, headers, body);
  }

  private send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
    if (res.headersSent) return;
    res.writeHead(status, {
      ...headers,
      ...(body === undefined
        ? {}
        : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
    });
    res.end(body);
  }
}
