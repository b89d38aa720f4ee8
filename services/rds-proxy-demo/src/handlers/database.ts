// The connection every handler module shares with its warm invocations: created once per
// execution environment, at module load, from the environment serverless.yml sets.
import { Logger } from '@aws-lambda-powertools/logger';
import { Database, readDatabaseSettings } from '../database/index.js';

export const logger = new Logger();

export const database = new Database(readDatabaseSettings(), { logger });
