import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { FaultyEventBridge, type PutEventsPlan, type PutEventsWireEntry } from '@blueprints/fault-injection';
import { type AwsClientBudget, awsClientConfig } from '../../src/aws/awsClientConfig.js';

/** A PutEvents entry as it arrived, with its envelope's sequence number and key when it has them. */
export interface ReceivedEntry extends PutEventsWireEntry {
  sequenceNr?: number;
  idempotencyKey?: string;
}

export type FaultPlan = PutEventsPlan<ReceivedEntry>;

/**
 * For a test file: returns `start(plan)`, which starts a {@link FaultyEventBridge} recording envelope keys,
 * closed after the test. Call it at the top of the file (it registers an `afterEach`).
 */
export function useFaultyEventBridges(): (plan?: FaultPlan) => Promise<FaultyEventBridge<ReceivedEntry>> {
  const started: FaultyEventBridge<ReceivedEntry>[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((b) => b.close()));
  });
  return async (plan) => {
    const bridge = await FaultyEventBridge.start<ReceivedEntry>({
      plan,
      record: (entry) => ({ ...entry, ...envelopeKeysOf(entry.Detail) }),
    });
    started.push(bridge);
    return bridge;
  };
}

/** A real client aimed at the endpoint, with the timeouts of `awsClientConfig`. */
export function eventBridgeClient(
  bridge: FaultyEventBridge<ReceivedEntry>,
  budget: AwsClientBudget = { functionTimeoutMs: 10_000, maxAttempts: 1 },
): EventBridgeClient {
  return new EventBridgeClient({
    ...awsClientConfig(budget),
    region: 'us-east-1',
    endpoint: bridge.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** The sequence numbers of one call's entries, in order. */
export const sequenceNrs = (entries: ReceivedEntry[]) => entries.map((e) => e.sequenceNr);

function envelopeKeysOf(detail: string | undefined): { sequenceNr?: number; idempotencyKey?: string } {
  try {
    const { sequenceNr, idempotencyKey } = JSON.parse(detail ?? '') as {
      sequenceNr?: unknown;
      idempotencyKey?: unknown;
    };
    return {
      ...(typeof sequenceNr === 'number' ? { sequenceNr } : {}),
      ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}),
    };
  } catch {
    return {};
  }
}
