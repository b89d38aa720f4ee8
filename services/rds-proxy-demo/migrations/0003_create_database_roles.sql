-- Database roles by purpose: each function logs in as its own role, with IAM authentication
-- through the RDS Proxy, and the cluster's master user is used by no function (README
-- "Database roles"). Runs as the migration owner `app_migrator` (created once by
-- migrations/bootstrap/migration_owner.sql), under migrate's advisory lock; the existence checks
-- also make it safe where the roles were already created by hand or by another stage's database
-- on the same cluster (roles belong to the cluster, not to a database).
DO $$
BEGIN
  -- `articles` (GET /articles, public): reads the articles table, nothing else.
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'articles_reader') THEN
    CREATE ROLE articles_reader LOGIN;
  END IF;
  -- `version`: `SELECT version()` needs no privilege on any table.
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app_monitor') THEN
    CREATE ROLE app_monitor LOGIN;
  END IF;
  -- Aurora's role for IAM database authentication (a member can log in only with an IAM token).
  -- A plain PostgreSQL (local, tests) has no such role; there the roles log in with passwords.
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
    GRANT rds_iam TO articles_reader, app_monitor;
  END IF;
END
$$;

-- Server-side limits that hold whatever the client does, set on the role so no session runs a
-- SET statement (which would pin its RDS Proxy connection): reads only by default, and no
-- statement may outlive the function that started it (timeout 10 s).
ALTER ROLE articles_reader SET default_transaction_read_only = on;
ALTER ROLE articles_reader SET statement_timeout = '8s';
ALTER ROLE app_monitor SET default_transaction_read_only = on;
ALTER ROLE app_monitor SET statement_timeout = '8s';

-- PostgreSQL 15+ gives PUBLIC no CREATE on schema public, so granting nothing else means
-- articles_reader can neither write nor run DDL (tests prove it on PostgreSQL 16).
GRANT SELECT ON articles TO articles_reader;
