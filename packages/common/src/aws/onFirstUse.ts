/**
 * A value built on the first call instead of at module load, then the same value on every call.
 *
 * For AWS SDK clients a handler creates at module scope: constructing a client (and the HTTP handler
 * `awsClientConfig` makes, which loads `https`, `tls` and `net`) resolves its whole configuration chain,
 * none of which the init phase needs (an interleaved A/B of one EventBridge handler on Node 22: 1.24×
 * less CPU at import, on a loaded machine; bench/results.md has the whole cold-init run). The work is not gone:
 * it moves to the first invocation, which uses the client anyway. Read and validate the settings the
 * client depends on (environment variables) at module load, so a bad setting still fails the init
 * rather than the first request.
 *
 * A builder that throws is called again on the next call (nothing is cached).
 *
 * @example
 * const eventBridge = onFirstUse(() => new EventBridgeClient(awsClientConfig({ functionTimeoutMs: 10_000 })));
 * await eventBridge().send(command);
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value;
  };
}
