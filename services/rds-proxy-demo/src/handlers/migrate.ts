import { applyMigrations, MIGRATIONS, type MigrationReport } from '../migrations/index.js';
import { database, logger } from './database.js';

/**
 * `osls invoke -f migrate`: applies the pending SQL migrations from inside the VPC (no bastion).
 * Safe to run again, and concurrently: runs serialise on an advisory lock and skip what is applied.
 */
export const handler = async (): Promise<MigrationReport> => {
  const report = await applyMigrations(await database.getClient(), MIGRATIONS);
  logger.info('Migrations up to date', { ...report });
  return report;
};
