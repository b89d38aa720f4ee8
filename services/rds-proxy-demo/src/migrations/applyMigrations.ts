import type { ClientBase } from 'pg';
import type { Migration } from './Migration.js';

/** What a run did. */
export interface MigrationReport {
  /** Versions applied by this run, in order. */
  applied: string[];
  /** Versions that were already applied before this run. */
  alreadyApplied: string[];
  /** The newest applied version afterwards (`null` when there are no migrations). */
  currentVersion: string | null;
}

/** An applied migration's SQL no longer matches the file: someone edited a migration after it ran. */
export class MigrationChecksumMismatchError extends Error {
  constructor(migration: Migration, appliedChecksum: string) {
    super(
      `Migration ${migration.file} was changed after it was applied (applied checksum ${appliedChecksum.slice(0, 12)}…, ` +
        `file checksum ${migration.checksum.slice(0, 12)}…). Applied migrations are immutable: ` +
        'restore the original file and put the change in a new migration.',
    );
    this.name = 'MigrationChecksumMismatchError';
  }
}

/** The database has a migration this code does not know, e.g. older code running after a newer deploy. */
export class UnknownAppliedMigrationError extends Error {
  constructor(version: string, name: string) {
    super(
      `The database has migration ${version}_${name} applied, which this build does not contain; ` +
        'deploy the code that includes it before migrating.',
    );
    this.name = 'UnknownAppliedMigrationError';
  }
}

/** A migration's SQL failed; nothing of this run was kept (the run is one transaction). */
export class MigrationFailedError extends Error {
  constructor(migration: Migration, cause: unknown) {
    super(`Migration ${migration.file} failed and the whole run was rolled back: ${(cause as Error).message}`, {
      cause,
    });
    this.name = 'MigrationFailedError';
  }
}

/** The table that records applied migrations. */
export const MIGRATIONS_TABLE = 'schema_migrations';

// Any constant shared by every runner of this service: pg_advisory_xact_lock(bigint).
const MIGRATION_LOCK_ID = '7152026040200001';

interface AppliedRow {
  version: string;
  name: string;
  checksum: string;
}

/**
 * Applies the pending migrations, in order, in ONE transaction that first takes a
 * transaction-scoped advisory lock. So: a second run waits for the first and then finds nothing
 * to do (safe twice in a row and concurrently), a failing migration leaves nothing behind, and
 * every applied version is recorded with its checksum in `schema_migrations`. A changed
 * already-applied migration stops the run before anything is applied.
 * (PostgreSQL runs DDL in transactions; statements that cannot, such as
 * `CREATE INDEX CONCURRENTLY`, do not belong in these migrations.)
 *
 * @example
 * const report = await applyMigrations(await database.getClient(), MIGRATIONS);
 * // { applied: ['0001', '0002'], alreadyApplied: [], currentVersion: '0002' }
 */
export async function applyMigrations(client: ClientBase, migrations: readonly Migration[]): Promise<MigrationReport> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
         version    text PRIMARY KEY,
         name       text NOT NULL,
         checksum   text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<AppliedRow>(
      `SELECT version, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`,
    );
    const known = new Map(migrations.map((migration) => [migration.version, migration]));
    for (const row of rows) {
      const migration = known.get(row.version);
      if (!migration) throw new UnknownAppliedMigrationError(row.version, row.name);
      if (migration.checksum !== row.checksum) throw new MigrationChecksumMismatchError(migration, row.checksum);
    }

    const appliedBefore = new Set(rows.map((row) => row.version));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (appliedBefore.has(migration.version)) continue;
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new MigrationFailedError(migration, error);
      }
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return {
      applied,
      alreadyApplied: [...appliedBefore],
      currentVersion: migrations.at(-1)?.version ?? null,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
