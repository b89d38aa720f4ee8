import type { LocalDatabaseWiring } from '@blueprints/local-stack';
import { type DevPostgres, startDevPostgres } from './devPostgres.js';
import type { ResolvedService } from './devServices.js';
import type { ObservedLambda } from './ObservedLambda.js';
import { freeDevPort } from './ports.js';

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
  options: { directory: string; port: number; progress: (line: string) => void },
): Promise<DevPostgres> {
  const declared = service.wiring.database;
  const t = Date.now();
  const postgres = await startDevPostgres({
    directory: options.directory,
    port: options.port === 0 ? await freeDevPort() : options.port,
    database: declared.name,
    user: declared.user,
  });
  options.progress(`PostgreSQL on 127.0.0.1:${postgres.port} (${Date.now() - t} ms)`);
  const environment = declared.environment({ host: '127.0.0.1', ...postgres });
  for (const fn of service.functions) {
    if (declared.hostVariable in fn.environment) Object.assign(fn.environment, environment);
  }
  return postgres;
}

/** Runs the service's declared `migrateFunction` once, as a deploy would. */
export async function migrateOnStart(
  service: DatabaseService,
  lambda: ObservedLambda,
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
