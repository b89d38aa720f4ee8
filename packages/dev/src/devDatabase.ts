import { type DevPostgres, startDevPostgres } from './devPostgres.js';
import { hasResource, type ResolvedService } from './devServices.js';
import type { ObservedLambda } from './ObservedLambda.js';
import { freeDevPort } from './ports.js';

/** The service with an RDS database, if any: the one PostgreSQL stands in for. */
export function databaseServiceOf(services: ResolvedService[]): ResolvedService | undefined {
  return services.find((s) => hasResource(s.resolver, 'AWS::RDS::DBCluster', 'AWS::RDS::DBProxy'));
}

/**
 * PostgreSQL for the service with an RDS database: its functions that read `DB_HOST` switch to the
 * documented local mode (the local server's host, port and credentials).
 */
export async function startServiceDatabase(
  service: ResolvedService,
  options: { directory: string; port: number; progress: (line: string) => void },
): Promise<DevPostgres> {
  const sample = service.functions.find((f) => f.environment.DB_NAME && f.environment.DB_USER);
  // The local superuser takes the cluster's master user name: functions may each have their own user.
  const masterUser = Object.values(service.resolver.template.Resources).find((r) => r.Type === 'AWS::RDS::DBCluster')
    ?.Properties?.MasterUsername;
  const t = Date.now();
  const postgres = await startDevPostgres({
    directory: options.directory,
    port: options.port === 0 ? await freeDevPort() : options.port,
    progress: options.progress,
    database: sample?.environment.DB_NAME ?? 'app',
    user: typeof masterUser === 'string' ? masterUser : (sample?.environment.DB_USER ?? 'app_admin'),
  });
  options.progress(`PostgreSQL on 127.0.0.1:${postgres.port} (${Date.now() - t} ms)`);
  for (const fn of service.functions) {
    if ('DB_HOST' in fn.environment) Object.assign(fn.environment, postgres.environment);
  }
  return postgres;
}

/** Runs the service's `-migrate` function once, as a deploy would. */
export async function migrateOnStart(
  service: ResolvedService,
  lambda: ObservedLambda,
  progress: (line: string) => void,
): Promise<void> {
  const migrate = service.functions.find((f) => f.name.endsWith('-migrate'));
  if (!migrate) return;
  const t = Date.now();
  const result = await lambda.invoke(migrate.name, {});
  progress(`migrated ${service.name} (${Date.now() - t} ms): ${JSON.stringify(result)}`);
}
