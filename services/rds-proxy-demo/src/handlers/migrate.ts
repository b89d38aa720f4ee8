import type { Context } from 'aws-lambda';
import { applyMigrations, MIGRATIONS, type MigrationReport } from '../migrations/index.js';
import { database, invocationDeadline, logger } from './database.js';

/**
 * `osls invoke -f migrate`: applies the pending SQL migrations from inside the VPC (no bastion).
 * Safe to run again, and concurrently: runs serialise on an advisory lock and skip what is applied.
 */
export const handler = async (_event: unknown, context: Context): Promise<MigrationReport> => {
  const client = await database.getClient({ deadline: invocationDeadline(context) });
  const report = await applyMigrations(client, MIGRATIONS);
  logger.info('Migrations up to date', { ...report });
  return report;
};
