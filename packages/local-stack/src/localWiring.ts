import type { LocalFunction } from '@blueprints/local-runtime';
import type { TemplateResolver } from '@blueprints/packaging';

/** A JSON value: what a demo action takes and answers. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The local PostgreSQL that stands in for a service's RDS database. */
export interface LocalPostgresEndpoint {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/** The local IoT gateway that stands in for the account's IoT data endpoint. */
export interface LocalIotEndpoint {
  /** `host:port`, as the IoT data endpoint is given to functions. */
  host: string;
  wsUrl: string;
  mqttUrl: string;
  /** The HTTP data plane (`AWS_ENDPOINT_URL_IOT_DATA_PLANE`). */
  dataPlaneEndpoint: string;
}

/** PostgreSQL in place of the service's RDS cluster (and proxy), started when the service is. */
export interface LocalDatabaseWiring {
  /** The database created on first start. */
  name: string;
  /** The superuser the server is initialised with. */
  user: string;
  /** Functions whose template environment declares this variable are pointed at the local server. */
  hostVariable: string;
  /** The variables those functions get instead of their deployed ones. */
  environment(postgres: LocalPostgresEndpoint): Record<string, string>;
  /** The function (its key under `functions:` in serverless.yml) invoked once at start, as a deploy would. */
  migrateFunction?: string;
}

/** The IoT gateway in place of IoT Core, for functions that publish or presign. */
export interface LocalIotWiring {
  /** Functions whose template environment declares this variable are pointed at the local gateway. */
  endpointVariable: string;
  /** The variables those functions get instead of their deployed ones. */
  environment(gateway: LocalIotEndpoint): Record<string, string>;
}

/** One service as an action sees it: its template, functions and HTTP API, started locally. */
export interface LocalActionService {
  name: string;
  dir: string;
  resolver: TemplateResolver;
  functions: LocalFunction[];
  /** The base URL of its local HTTP API, when it has routes. */
  httpUrl?: string;
  /** Invokes one of its functions by name (`<service>-<stage>-<key>`) and answers its result. */
  invoke(functionName: string, event: unknown): Promise<unknown>;
}

/** What a demo action can reach: its service and the local stand-ins. */
export interface LocalActionContext {
  service: LocalActionService;
  region: string;
  accountId: string;
  /** The value of a secret the stand-in holds (generated at start for every template secret). */
  secretString(arn: string): string;
  /** Puts a record on a local Kinesis stream; answers its sequence number. */
  putKinesisRecord(streamName: string, data: Uint8Array, partitionKey: string): Promise<string>;
  /** The local IoT gateway, when a started service needs one. */
  iot?: LocalIotEndpoint;
  /** The headers by which a local request to an `aws_iam` route names its caller (no SigV4 locally). */
  iamCallerHeaders(principalArn: string): Record<string, string>;
  /** Registers a close for something the action opened (an MQTT client): runs when the stack stops. */
  onClose(close: () => Promise<unknown> | unknown): void;
}

/** A button on the dashboard: one flow through the service's real local wiring. */
export interface LocalAction {
  /** Unique within the service: `[a-z0-9-]+`, used in `POST /api/services/<service>/actions/<id>`. */
  id: string;
  label: string;
  description: string;
  /** An example input, shown (and sent by default) by the dashboard. */
  input?: JsonValue;
  /** Runs the flow; `input` is the request's JSON body (`{}` when none). Answers what JSON.stringify can write. */
  run(context: LocalActionContext, input: Record<string, JsonValue>): Promise<unknown>;
}

/**
 * How a service runs locally, declared in its own folder (`services/<name>/local.ts`, default export):
 * which of its variables name a database or the IoT endpoint, what its local database needs, what runs
 * once at start, and its demo actions. Everything is optional: a service without `local.ts` runs on the
 * stand-ins its template asks for, with no actions.
 */
export interface LocalWiring {
  database?: LocalDatabaseWiring;
  iot?: LocalIotWiring;
  /** Columns the activity feed shows for an event on one of the service's buses (e.g. its correlation id). */
  describeBusEvent?(detail: unknown): Record<string, JsonValue> | undefined;
  actions?: LocalAction[];
}

export class InvalidLocalWiringError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'InvalidLocalWiringError';
  }
}

const ACTION_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Types a service's local wiring and checks what TypeScript cannot (action ids well formed and unique).
 *
 * @example
 * // services/orders/local.ts
 * import { defineLocalWiring } from '@blueprints/local-stack';
 * export default defineLocalWiring({
 *   actions: [{ id: 'ping', label: 'Ping', description: 'Invokes ping', run: (c) => c.service.invoke('orders-dev-ping', {}) as never }],
 * });
 */
export function defineLocalWiring(wiring: LocalWiring, file = 'local.ts'): LocalWiring {
  const seen = new Set<string>();
  for (const action of wiring.actions ?? []) {
    if (!ACTION_ID.test(action.id))
      throw new InvalidLocalWiringError(file, `action id "${action.id}" must match ${ACTION_ID}`);
    if (seen.has(action.id)) throw new InvalidLocalWiringError(file, `action id "${action.id}" appears twice`);
    seen.add(action.id);
  }
  return wiring;
}
