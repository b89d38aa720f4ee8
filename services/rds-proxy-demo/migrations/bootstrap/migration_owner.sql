-- Run ONCE per cluster as the master user, before the first `migrate` (README "First deploy"):
--   pnpm --filter rds-proxy-demo db -- --write --file migrations/bootstrap/migration_owner.sql
-- Creates the migration owner `migrate` logs in as, so that no function ever uses the master
-- user. One statement (a DO block), because the Data API runs one statement per call; safe to run
-- again.
DO $$
DECLARE
  owned record;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app_migrator') THEN
    -- CREATEROLE: migrations create the functions' roles (0003_create_database_roles.sql).
    CREATE ROLE app_migrator LOGIN CREATEROLE;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
    -- IAM login for the migrator itself, and (PostgreSQL 16) the right to grant IAM login to
    -- the roles its migrations create.
    GRANT rds_iam TO app_migrator WITH ADMIN OPTION;
  END IF;
  -- Migrations create their tables in public.
  GRANT CREATE ON SCHEMA public TO app_migrator;
  -- An earlier version of this service ran its migrations as the master user: hand those tables
  -- (articles, schema_migrations, with their sequences and indexes) to the migration owner.
  -- ALTER ... OWNER needs membership in the new owner.
  GRANT app_migrator TO CURRENT_USER;
  FOR owned IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = CURRENT_USER LOOP
    EXECUTE format('ALTER TABLE public.%I OWNER TO app_migrator', owned.tablename);
  END LOOP;
END
$$;
