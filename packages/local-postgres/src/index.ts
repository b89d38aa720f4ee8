export {
  type LocalPostgresOptions,
  type LocalPostgresServer,
  orphanedPostmaster,
  PostgresAlreadyRunningError,
  startLocalPostgres,
  stopOrphanedPostgres,
} from './localPostgres.js';
