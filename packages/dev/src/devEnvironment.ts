import { join, resolve } from 'node:path';
import type { IotGateway } from '@blueprints/local-iot';
import { bundleHandlerLoader } from '@blueprints/local-runtime';
import { type LocalStack, startLocalStack } from '@blueprints/local-stack';
import { ActivityFeed } from './activityFeed.js';
import { prepareDataDir } from './dataDir.js';
import { databaseServiceOf, migrateOnStart, startServiceDatabase } from './devDatabase.js';
import { startDevGateway } from './devGateway.js';
import type { DevPostgres } from './devPostgres.js';
import {
  packageServices,
  projectServices,
  type ResolvedService,
  resolveService,
  UnknownServiceError,
} from './devServices.js';
import { ObservedLambda } from './ObservedLambda.js';
import { assertDevPortsFree, DEFAULT_DEV_PORTS, type DevPorts } from './ports.js';
import { type DevService, feedBusActivity, wireService } from './wireService.js';

export { DevAlreadyRunningError } from './dataDir.js';
export { listServices, NoServicesError, UnknownServiceError } from './devServices.js';
export type { DevService } from './wireService.js';

export interface DevEnvironmentOptions {
  /** The monorepo (or forked project) root, holding `services/`. */
  rootDir: string;
  /** Folder names under `services/`; default: every service with a serverless.yml. */
  services?: string[];
  /** Where data lives; default `<rootDir>/.local`. */
  dataDir?: string;
  /** Delete `dataDir` first. */
  reset?: boolean;
  ports?: Partial<DevPorts>;
  stage?: string;
  region?: string;
  accountId?: string;
  /** POWERTOOLS_LOG_LEVEL for every handler (default WARN, so the terminal stays readable). */
  logLevel?: string;
  /** Progress lines while starting. */
  onProgress?: (line: string) => void;
}

/**
 * The stand-ins of `startLocalStack` (`secretsManager` holds every template's secrets, with freshly
 * generated values) and what runs on them.
 */
export interface DevEnvironment
  extends Pick<LocalStack, 'region' | 'accountId' | 'sqs' | 'bus' | 'dynamodb' | 's3' | 'kinesis' | 'secretsManager'> {
  rootDir: string;
  dataDir: string;
  services: DevService[];
  feed: ActivityFeed;
  gateway?: IotGateway;
  postgres?: DevPostgres;
  /** How long start-up took, ms. */
  startupMs: number;
  service(name: string): DevService | undefined;
  /** Waits until buses, queues and pipes have nothing in flight. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts every (or some) service of the repo locally: packages them (`ensurePackaged`), starts the
 * stand-ins on 127.0.0.1 (IoT gateway, event bus, SQS, DynamoDB, S3, Kinesis + Pipes, PostgreSQL
 * when a service has an RDS database), and wires each service's built bundles from its packaged
 * CloudFormation template: rules and targets, queue triggers, pipes, topic rules and authorizers,
 * HTTP API routes.
 *
 * @example
 * const dev = await startDevEnvironment({ rootDir: process.cwd() });
 * console.log(dev.services[0]?.http?.url);
 * await dev.close();
 */
export async function startDevEnvironment(options: DevEnvironmentOptions): Promise<DevEnvironment> {
  const started = Date.now();
  const rootDir = resolve(options.rootDir);
  const progress = options.onProgress ?? (() => undefined);
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const ports: DevPorts = { ...DEFAULT_DEV_PORTS, ...options.ports };
  const all = projectServices(rootDir);
  const names = options.services?.length ? options.services : all;
  for (const name of names) if (!all.includes(name)) throw new UnknownServiceError(name, all);
  const httpPortOf = (name: string) => (ports.http === 0 ? 0 : ports.http + all.indexOf(name));
  await assertDevPortsFree(
    { ...ports, dashboard: 0, http: 0 },
    names.map((n) => httpPortOf(n)),
  );
  const dataDir = resolve(options.dataDir ?? join(rootDir, '.local'));
  const releaseDataDir = prepareDataDir(dataDir, options.reset);
  let stack: LocalStack | undefined;
  const closeAll = async () => {
    await stack?.close();
    releaseDataDir();
  };
  try {
    await packageServices(rootDir, names, progress);
    stack = await startLocalStack({ region, accountId, dataDir, ports });
    return await wireDevEnvironment(
      stack,
      { ...options, rootDir, dataDir, region, accountId, ports, names, httpPortOf },
      {
        started,
        progress,
        close: closeAll,
      },
    );
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Resolves the services onto the started stack, starts PostgreSQL and the IoT gateway when needed, and wires each service. */
async function wireDevEnvironment(
  local: LocalStack,
  options: DevEnvironmentOptions & {
    rootDir: string;
    dataDir: string;
    region: string;
    accountId: string;
    ports: DevPorts;
    names: string[];
    httpPortOf: (name: string) => number;
  },
  run: { started: number; progress: (line: string) => void; close: () => Promise<void> },
): Promise<DevEnvironment> {
  const { rootDir, dataDir, region, accountId, ports } = options;
  const { progress } = run;
  const stackName = { stage: options.stage ?? 'dev', region, accountId, logLevel: options.logLevel ?? 'WARN' };
  const resolved: ResolvedService[] = [];
  for (const name of options.names) resolved.push(await resolveService(rootDir, name, stackName, local.provision));

  const databaseService = databaseServiceOf(resolved);
  let postgres: DevPostgres | undefined;
  if (databaseService) {
    const directory = join(dataDir, 'postgres');
    const pg = await startServiceDatabase(databaseService, { directory, port: ports.postgres, progress });
    local.onClose(() => pg.stop());
    postgres = pg;
  }

  const feed = new ActivityFeed();
  const lambdas = new Map<string, ObservedLambda>();
  for (const s of resolved) {
    const loader = bundleHandlerLoader(s.dir, join(dataDir, 'bundles', s.name));
    lambdas.set(s.name, new ObservedLambda(s.name, s.functions, loader, local.environment, feed));
  }
  const gatewayOptions = { region, accountId, port: ports.iotWebSocket, mqttPort: ports.iotMqtt, sqs: local.sqs, feed };
  const gateway = await startDevGateway(resolved, lambdas, gatewayOptions);
  if (gateway) local.onClose(() => gateway.close());

  const services: DevService[] = [];
  const pipeBuses = new Set<string>();
  for (const s of resolved) {
    const lambda = lambdas.get(s.name) as ObservedLambda;
    const wired = await wireService(s, lambda, { stack: local, feed, httpPort: options.httpPortOf(s.name) });
    services.push(wired.service);
    for (const b of wired.pipeBuses) pipeBuses.add(b);
  }
  feedBusActivity(local, feed, services, pipeBuses);

  // Database migrations once at start, as a deploy would run them.
  if (databaseService && postgres) {
    await migrateOnStart(databaseService, lambdas.get(databaseService.name) as ObservedLambda, progress);
  }

  const { clients: _clients, environment: _environment, provision: _provision, onClose: _onClose, ...standIns } = local;
  const { bus } = standIns;
  return {
    ...standIns,
    rootDir,
    dataDir,
    services,
    feed,
    gateway,
    postgres,
    startupMs: Date.now() - run.started,
    service: (name) => services.find((s) => s.name === name),
    settle: async () => {
      for (let round = 0; round < 3; round++) {
        await Promise.all(services.map((s) => s.pipes?.idle()));
        await bus.idle();
        await gateway?.idle();
        await Promise.all(services.map((s) => s.triggers.idle(20_000)));
        await bus.idle();
      }
      await Promise.all(services.map((s) => s.firehose.flush()));
    },
    close: run.close,
  };
}
