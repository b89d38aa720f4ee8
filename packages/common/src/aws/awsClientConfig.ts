import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface AwsClientBudget {
  /**
   * The function's configured timeout in ms (`timeout` in serverless.yml). Lambda does not expose it at
   * runtime, so pass the same figure in through the environment (e.g. `FUNCTION_TIMEOUT_MS`).
   */
  functionTimeoutMs: number;
  /**
   * Attempts the SDK makes per call, first one included. Default 2. Use 1 where the caller retries
   * itself (the `EventPublisher` does, per entry), so retries do not multiply.
   */
  maxAttempts?: number;
  /**
   * Share of the function timeout that one call may use, all its attempts together. Default 0.5: a
   * handler making one call still has half its time to answer when the service never does.
   */
  callShare?: number;
  /** Time to establish the TCP (and TLS) connection. Default 1,000 ms, or less when the attempt is shorter. */
  connectionTimeoutMs?: number;
}

/** The client settings {@link awsClientConfig} derived: handy in logs and tests. */
export interface AwsClientTimeouts {
  maxAttempts: number;
  connectionTimeoutMs: number;
  /** Ceiling of one attempt, from request start to response headers. */
  requestTimeoutMs: number;
}

/** Thrown by {@link awsClientConfig} for a budget that cannot give every attempt a timeout. */
export class InvalidClientBudgetError extends Error {
  constructor(message: string) {
    super(`Invalid AWS client budget: ${message}`);
    this.name = 'InvalidClientBudgetError';
  }
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 1_000;

/**
 * The timeouts for a client whose calls must end within a share of the function timeout:
 * `requestTimeoutMs = functionTimeoutMs × callShare / maxAttempts`.
 *
 * @example
 * clientTimeouts({ functionTimeoutMs: 10_000 }); // { maxAttempts: 2, connectionTimeoutMs: 1000, requestTimeoutMs: 2500 }
 */
export function clientTimeouts(budget: AwsClientBudget): AwsClientTimeouts {
  const { functionTimeoutMs, maxAttempts = 2, callShare = 0.5 } = budget;
  if (!Number.isFinite(functionTimeoutMs) || functionTimeoutMs <= 0) {
    throw new InvalidClientBudgetError(`functionTimeoutMs must be a positive number, got ${functionTimeoutMs}`);
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new InvalidClientBudgetError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  }
  if (!(callShare > 0 && callShare <= 1)) {
    throw new InvalidClientBudgetError(`callShare must be in (0, 1], got ${callShare}`);
  }
  const requestTimeoutMs = Math.floor((functionTimeoutMs * callShare) / maxAttempts);
  if (requestTimeoutMs < 1) {
    throw new InvalidClientBudgetError(`${functionTimeoutMs} ms cannot be shared by ${maxAttempts} attempts`);
  }
  const connectionTimeoutMs = Math.min(budget.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS, requestTimeoutMs);
  return { maxAttempts, connectionTimeoutMs, requestTimeoutMs };
}

/**
 * The settings every AWS SDK v3 client in a handler is made with: an HTTP handler whose connection and
 * request timeouts really abort the request, and a bounded number of SDK attempts, all sized so one call
 * fits in a share of the function timeout. Spread it into the client's constructor.
 *
 * Why not the SDK defaults: `@smithy/node-http-handler` 4.x only logs a warning when `requestTimeout` is
 * exceeded unless `throwOnRequestTimeout` is set, so an endpoint that accepts and never answers holds the
 * call until Lambda kills the function. Pass `{ abortSignal: deadline.signal() }` to each `send` as well:
 * the timeouts bound one attempt, the deadline bounds the whole invocation.
 *
 * @example
 * const client = new EventBridgeClient(awsClientConfig({ functionTimeoutMs: 10_000, maxAttempts: 1 }));
 * await client.send(new PutEventsCommand(input), { abortSignal: Deadline.fromContext(context).signal() });
 */
export function awsClientConfig(budget: AwsClientBudget): { maxAttempts: number; requestHandler: NodeHttpHandler } {
  const { maxAttempts, connectionTimeoutMs, requestTimeoutMs } = clientTimeouts(budget);
  return {
    maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: connectionTimeoutMs,
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  };
}
