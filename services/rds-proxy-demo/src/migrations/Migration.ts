import { createHash } from 'node:crypto';

/** One versioned SQL migration: `migrations/0001_create_articles.sql` → version `0001`, name `create_articles`. */
export interface Migration {
  version: string;
  name: string;
  file: string;
  sql: string;
  /** SHA-256 of the SQL (line endings normalised), recorded when applied and compared on every run. */
  checksum: string;
}

export interface MigrationSource {
  file: string;
  sql: string;
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Thrown for a malformed migration list (bad file name, duplicate or out-of-order version). */
export class MigrationDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationDefinitionError';
  }
}

/** SHA-256 hex of a migration's SQL, independent of CRLF/LF line endings. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * Validates and orders a list of migration files.
 *
 * @example
 * const [first] = defineMigrations([{ file: '0001_create_articles.sql', sql: 'CREATE TABLE ...' }]);
 * first.version; // '0001'
 */
export function defineMigrations(sources: readonly MigrationSource[]): Migration[] {
  const migrations = sources.map(({ file, sql }) => {
    const match = FILE_NAME.exec(file);
    if (!match) {
      throw new MigrationDefinitionError(`Migration file "${file}" must be named NNNN_lowercase_words.sql`);
    }
    if (sql.trim() === '') throw new MigrationDefinitionError(`Migration file "${file}" is empty`);
    return { version: match[1] as string, name: match[2] as string, file, sql, checksum: migrationChecksum(sql) };
  });
  migrations.forEach((migration, i) => {
    const previous = migrations[i - 1];
    if (previous && previous.version >= migration.version) {
      throw new MigrationDefinitionError(
        `Migration versions must be unique and ascending: ${previous.file} comes before ${migration.file}`,
      );
    }
  });
  return migrations;
}
