import { booleanEnv, integerEnv, listEnv, optionalEnv, requiredEnv } from '@blueprints/common';
import type { BusAddress } from '../delivery/busPublisher.js';
import type { EventSelection } from '../qldb/selectEvents.js';

export interface EnrichConfig {
  bus: BusAddress;
  selection: EventSelection;
  /** `persist` of every event's envelope (routes it to a persisting consumer's store). */
  persist: boolean;
  /** PutEvents attempts per event for retryable errors, within the invocation's deadline. */
  publishMaxAttempts: number;
  /** The function's configured timeout (Lambda does not expose it): sizes the SDK client's timeouts. */
  functionTimeoutMs: number;
  /** How long a container remembers what it published for a record that failed in part (0 = never). */
  recentlyPublishedTtlMs: number;
  /**
   * `osls invoke local` with no local bus to talk to (no AWS_ENDPOINT_URL_EVENTBRIDGE): print the
   * events that would be published instead of calling AWS.
   */
  printOnly: boolean;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the enrich function's configuration (once, at module load):
 * EVENT_BUS_NAME (required), FUNCTION_TIMEOUT_MS (15000: the function's `timeout`), EVENT_SOURCE
 * (`qldb`), PERSIST_EVENTS (false),
 * DROP_CONTROL_RECORDS, REVISIONS_ONLY, INCLUDE_TABLES / EXCLUDE_TABLES (comma-separated),
 * PUBLISH_MAX_ATTEMPTS (4), RECENTLY_PUBLISHED_TTL_SECONDS (900).
 *
 * @example
 * const config = readEnrichConfig(process.env);
 */
export function readEnrichConfig(env: Env = process.env): EnrichConfig {
  return {
    bus: {
      eventBusName: requiredEnv('EVENT_BUS_NAME', env),
      source: optionalEnv('EVENT_SOURCE', 'qldb', env),
    },
    selection: {
      dropControlRecords: booleanEnv('DROP_CONTROL_RECORDS', false, env),
      revisionsOnly: booleanEnv('REVISIONS_ONLY', false, env),
      includeTables: listEnv('INCLUDE_TABLES', env),
      excludeTables: listEnv('EXCLUDE_TABLES', env),
    },
    persist: booleanEnv('PERSIST_EVENTS', false, env),
    publishMaxAttempts: integerEnv('PUBLISH_MAX_ATTEMPTS', 4, { min: 1, max: 10 }, env),
    functionTimeoutMs: integerEnv('FUNCTION_TIMEOUT_MS', 15_000, { min: 1_000, max: 900_000 }, env),
    recentlyPublishedTtlMs: integerEnv('RECENTLY_PUBLISHED_TTL_SECONDS', 900, { min: 0, max: 86_400 }, env) * 1000,
    printOnly: env.IS_LOCAL === 'true' && !env.AWS_ENDPOINT_URL_EVENTBRIDGE && !env.AWS_ENDPOINT_URL,
  };
}
