import { booleanEnv, integerEnv, listEnv, optionalEnv, requiredEnv } from '@blueprints/common';
import type { EventSelection } from '../qldb/selectEvents.js';
import type { BusAddress } from './toPutEventsEntries.js';

export interface EnrichConfig {
  bus: BusAddress;
  selection: EventSelection;
  publishMaxAttempts: number;
  /**
   * `osls invoke local` with no local bus to talk to (no AWS_ENDPOINT_URL_EVENTBRIDGE): print the
   * events that would be published instead of calling AWS.
   */
  printOnly: boolean;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the enrich function's configuration (once, at module load):
 * EVENT_BUS_NAME (required), EVENT_SOURCE (`qldb`), DROP_CONTROL_RECORDS, REVISIONS_ONLY,
 * INCLUDE_TABLES / EXCLUDE_TABLES (comma-separated), PUBLISH_MAX_ATTEMPTS (4).
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
    publishMaxAttempts: integerEnv('PUBLISH_MAX_ATTEMPTS', 4, { min: 1, max: 10 }, env),
    printOnly: env.IS_LOCAL === 'true' && !env.AWS_ENDPOINT_URL_EVENTBRIDGE && !env.AWS_ENDPOINT_URL,
  };
}
