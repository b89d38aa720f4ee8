// Every migration the `migrate` function knows, bundled into it as text (esbuild `text` loader).
// Adding a migration: create migrations/NNNN_what_it_does.sql and add one import and one entry
// below (a test fails if a file in migrations/ is missing here). Never edit an applied one.
import createArticles from '../../migrations/0001_create_articles.sql';
import seedArticles from '../../migrations/0002_seed_articles.sql';
import createDatabaseRoles from '../../migrations/0003_create_database_roles.sql';
import { defineMigrations, type Migration } from './Migration.js';

export const MIGRATIONS: readonly Migration[] = defineMigrations([
  { file: '0001_create_articles.sql', sql: createArticles },
  { file: '0002_seed_articles.sql', sql: seedArticles },
  { file: '0003_create_database_roles.sql', sql: createDatabaseRoles },
]);
