// The connection every handler module shares with its warm invocations: created once per
// execution environment, at module load, from the environment serverless.yml sets.
import { Logger } from '@aws-lambda-powertools/logger';
import { Deadline, type RemainingTimeSource } from '@blueprints/common';
import { Database, readDatabaseSettings } from '../database/index.js';

export const logger = new Logger();

export const database = new Database(readDatabaseSettings(), { logger });

/**
 * Kept back from the function's timeout for answering after the database gave up: building the
 * 503 or the error, logging it, and the jitter of a busy execution environment.
 */
export const ANSWER_MARGIN_MS = 1500;

/** The deadline database calls of this invocation must meet. */
export function invocationDeadline(context: RemainingTimeSource): Deadline {
  return Deadline.fromContext(context, { safetyMarginMs: ANSWER_MARGIN_MS });
}
