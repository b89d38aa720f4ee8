export type { MigrationReport } from './applyMigrations.js';
export {
  applyMigrations,
  MIGRATIONS_TABLE,
  MigrationChecksumMismatchError,
  MigrationFailedError,
  UnknownAppliedMigrationError,
} from './applyMigrations.js';
export { MIGRATIONS } from './catalog.js';
export type { Migration, MigrationSource } from './Migration.js';
export { defineMigrations, MigrationDefinitionError, migrationChecksum } from './Migration.js';
