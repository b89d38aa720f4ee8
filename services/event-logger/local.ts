// How this service runs under `pnpm dev` and startLocalStack (contract: packages/local-stack/README.md,
// "Local wiring"). Bus, queues, table, archive and HTTP API come from the template; this adds the bus
// feed's columns and the demo actions.
import { parseEnvelope } from '@blueprints/common';
import { defineLocalWiring, type JsonValue, type LocalActionContext } from '@blueprints/local-stack';

/** How long publish-events waits for both orders to be readable from the table. */
const PERSISTED_CEILING_MS = 20_000;

/**
 * The local stand-in for a SigV4-signed call by tenant `tenant`: a session of its tenant role
 * (`TENANT_ROLE_PREFIX` + tenant), named in the local-only caller header.
 */
function tenantCaller(context: LocalActionContext, tenant: string): Record<string, string> {
  const { service, accountId } = context;
  const prefix = service.functions.find((f) => f.environment.TENANT_ROLE_PREFIX)?.environment.TENANT_ROLE_PREFIX;
  if (!prefix) throw new Error(`${service.name} has no function with TENANT_ROLE_PREFIX`);
  return context.iamCallerHeaders(`arn:aws:sts::${accountId}:assumed-role/${prefix}${tenant}/dashboard`);
}

/** GET /events as tenant A and as tenant B (each sees only its own events), the items of both in one list. */
async function persistedEvents(
  context: LocalActionContext,
  query: { correlationId?: string; detailType?: string },
): Promise<{ status: number; body: unknown }> {
  const params = new URLSearchParams(
    query.correlationId ? { correlationId: query.correlationId } : { detailType: query.detailType ?? 'order.placed' },
  );
  const items: unknown[] = [];
  for (const tenant of ['A', 'B']) {
    const response = await fetch(`${context.service.httpUrl}/events?${params}`, {
      headers: tenantCaller(context, tenant),
    });
    const body = (await response.json()) as { items?: unknown[] };
    if (!response.ok) return { status: response.status, body };
    items.push(...(body.items ?? []));
  }
  return { status: 200, body: { items } };
}

export default defineLocalWiring({
  describeBusEvent: (detail) => {
    try {
      const { correlationId, sequenceNr, idempotencyKey, persist } = parseEnvelope(detail);
      return { correlationId, sequenceNr, idempotencyKey, persist };
    } catch {
      return undefined;
    }
  },
  actions: [
    {
      id: 'publish-events',
      label: 'Publish a batch of events',
      description:
        'POST /events: tenant A publishes a persisted order and a page view, tenant B a persisted order under the ' +
        'same correlationId (their idempotency keys collide, their namespaces do not). Answers once both orders ' +
        'are readable with GET /events.',
      run: async (context) => {
        const order = () => crypto.randomUUID().slice(0, 8);
        const post = (tenant: string, events: JsonValue[], headers: Record<string, string> = {}) =>
          fetch(`${context.service.httpUrl}/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...tenantCaller(context, tenant), ...headers },
            body: JSON.stringify({ events }),
          });
        const response = await post('A', [
          { detailType: 'order.placed', context: { orderId: `a-${order()}`, total: 42.5 }, persist: true },
          { detailType: 'cart.viewed', context: { cartId: `c-${order()}` } },
        ]);
        const body = (await response.json()) as { correlationId?: string };
        if (!response.ok || !body.correlationId) return { status: response.status, body };
        const correlationId = body.correlationId;
        const orderB = { detailType: 'order.placed', context: { orderId: `b-${order()}`, total: 9.99 }, persist: true };
        await post('B', [orderB], { 'x-correlation-id': correlationId });
        // The table is written by a queue consumer, after the bus: poll until both orders are there.
        const deadline = Date.now() + PERSISTED_CEILING_MS;
        let persisted = await persistedEvents(context, { correlationId });
        while (Date.now() < deadline && ((persisted.body as { items?: unknown[] }).items?.length ?? 0) < 2) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          persisted = await persistedEvents(context, { correlationId });
        }
        return { status: response.status, body, persisted: persisted.body };
      },
    },
    {
      id: 'persisted-events',
      label: 'Query persisted events',
      description: 'GET /events?correlationId=… (or ?detailType=…) as tenant A and as tenant B, from DynamoDB.',
      input: { detailType: 'order.placed' },
      run: (context, input) =>
        persistedEvents(context, {
          correlationId: typeof input.correlationId === 'string' ? input.correlationId : undefined,
          detailType: typeof input.detailType === 'string' ? input.detailType : undefined,
        }),
    },
  ],
});
