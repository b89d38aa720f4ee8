import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { LOCAL_IAM_CALLER_HEADER } from '@blueprints/local-http-api';
import type { LocalKinesis } from '@blueprints/local-pipes';
import type { LocalSecretsManager } from '@blueprints/local-secrets-manager';
import type {
  JsonValue,
  LocalAction,
  LocalActionContext,
  LocalActionService,
  LocalIotEndpoint,
  LocalWiring,
} from './localWiring.js';

/** No such service or action: the caller asked for something nobody declared (HTTP 404). */
export class UnknownLocalActionError extends Error {
  readonly status = 404;
  constructor(service: string, id: string, known: string[]) {
    super(`No action "${id}" for service "${service}". Actions: ${known.join(', ') || 'none'}`);
    this.name = 'UnknownLocalActionError';
  }
}

/** The action's input is not a JSON object (HTTP 400). */
export class InvalidLocalActionInputError extends Error {
  readonly status = 400;
  constructor(id: string) {
    super(`The input of action "${id}" must be a JSON object`);
    this.name = 'InvalidLocalActionInputError';
  }
}

/** What an action's context is built from: the stand-ins it may reach. */
export interface LocalActionStandIns {
  region: string;
  accountId: string;
  secretsManager: LocalSecretsManager;
  kinesis: LocalKinesis;
  iot?: LocalIotEndpoint;
  onClose(close: () => Promise<unknown> | unknown): void;
}

/**
 * The context a service's actions run with. Build it once per service and stack: actions may keep
 * per-context state (an MQTT client) keyed on its `service`.
 */
export function localActionContext(standIns: LocalActionStandIns, service: LocalActionService): LocalActionContext {
  return {
    service,
    region: standIns.region,
    accountId: standIns.accountId,
    secretString: (arn) => standIns.secretsManager.secretString(arn),
    putKinesisRecord: async (streamName, data, partitionKey) => {
      const out = await standIns.kinesis.client.send(
        new PutRecordCommand({ StreamName: streamName, Data: data, PartitionKey: partitionKey }),
      );
      return String(out.SequenceNumber);
    },
    iot: standIns.iot,
    iamCallerHeaders: (principalArn) => ({ [LOCAL_IAM_CALLER_HEADER]: principalArn }),
    onClose: (close) => standIns.onClose(close),
  };
}

/** What `GET /api/config` lists of an action: everything but `run`. */
export function describeLocalActions(
  wiring: LocalWiring,
): Array<Pick<LocalAction, 'id' | 'label' | 'description' | 'input'>> {
  return (wiring.actions ?? []).map(({ id, label, description, input }) => ({
    id,
    label,
    description,
    ...(input === undefined ? {} : { input }),
  }));
}

/**
 * Runs the action `id` a service declared, with `input` (a JSON object).
 *
 * @example
 * const result = await runLocalAction(wiring, context, 'articles', { type: 'news' });
 */
export async function runLocalAction(
  wiring: LocalWiring,
  context: LocalActionContext,
  id: string,
  input: unknown,
): Promise<unknown> {
  const actions = wiring.actions ?? [];
  const action = actions.find((a) => a.id === id);
  if (!action)
    throw new UnknownLocalActionError(
      context.service.name,
      id,
      actions.map((a) => a.id),
    );
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new InvalidLocalActionInputError(id);
  return action.run(context, input as Record<string, JsonValue>);
}
