import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type LocalEventBridge, LocalFirehose } from '@blueprints/local-eventbridge';
import { httpRoutesFromTemplate, LocalHttpApi, type LocalHttpRoute } from '@blueprints/local-http-api';
import {
  type IotGateway,
  type IotGatewayOptions,
  iotGatewayOptionsFromTemplate,
  iotPoliciesOfFunction,
  startIotGateway,
} from '@blueprints/local-iot';
import { type LocalKinesis, type LocalPipes, pipesFromTemplate, startPipesFromTemplate } from '@blueprints/local-pipes';
import type { LocalFunction } from '@blueprints/local-runtime';
import { bundleHandlerLoader } from '@blueprints/local-runtime';
import type { LocalSecretsManager } from '@blueprints/local-secrets-manager';
import { type LocalSqs, type QueueTriggers, startQueueTriggers } from '@blueprints/local-sqs';
import { DEV_CREDENTIALS, type LocalStack, startLocalStack } from '@blueprints/local-stack';
import type { LocalDynamoDb, LocalS3 } from '@blueprints/local-storage';
import {
  ensurePackaged,
  loadPackagedTemplate,
  readPackagedServiceState,
  resourcesOfType,
  TemplateResolver,
} from '@blueprints/packaging';
import { ActivityFeed } from './activityFeed.js';
import { type DevPostgres, startDevPostgres } from './devPostgres.js';
import { devFunctionsFromTemplate } from './localFunctions.js';
import { ObservedLambda } from './ObservedLambda.js';
import { assertDevPortsFree, DEFAULT_DEV_PORTS, type DevPorts, freeDevPort } from './ports.js';

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

/** One service running locally, wired from its packaged template. */
export interface DevService {
  name: string;
  dir: string;
  resolver: TemplateResolver;
  lambda: ObservedLambda;
  functions: LocalFunction[];
  http?: { url: string; routes: LocalHttpRoute[] };
  triggers: QueueTriggers;
  pipes?: LocalPipes;
  firehose: LocalFirehose;
  buses: string[];
}

export interface DevEnvironment {
  rootDir: string;
  dataDir: string;
  region: string;
  accountId: string;
  services: DevService[];
  feed: ActivityFeed;
  sqs: LocalSqs;
  bus: LocalEventBridge;
  dynamodb: LocalDynamoDb & { persistent: boolean };
  s3: LocalS3;
  kinesis: LocalKinesis;
  /** Every template's secrets, with freshly generated values (functions read them at run time). */
  secretsManager: LocalSecretsManager;
  gateway?: IotGateway;
  postgres?: DevPostgres;
  /** How long start-up took, ms. */
  startupMs: number;
  service(name: string): DevService | undefined;
  /** Waits until buses, queues and pipes have nothing in flight. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export class DevAlreadyRunningError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `Another pnpm dev (pid ${pid}) is using ${dataDir}. Stop it first, or give this one its own folder with --data-dir <dir>.`,
    );
    this.name = 'DevAlreadyRunningError';
  }
}

/** One dev environment per data folder: LevelDB and PostgreSQL refuse to share their files. */
function claimDataDir(dataDir: string): () => void {
  const pidFile = join(dataDir, 'dev.pid');
  const holder = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
  if (holder > 0 && holder !== process.pid) {
    try {
      process.kill(holder, 0);
      throw new DevAlreadyRunningError(dataDir, holder);
    } catch (error) {
      if (error instanceof DevAlreadyRunningError) throw error;
    }
  }
  writeFileSync(pidFile, String(process.pid));
  return () => rmSync(pidFile, { force: true });
}

export class UnknownServiceError extends Error {
  constructor(name: string, known: string[]) {
    super(`No service "${name}" in services/. Services: ${known.join(', ')}`);
    this.name = 'UnknownServiceError';
  }
}

/** Every folder of `services/` with a serverless.yml, sorted (its index fixes its HTTP port). */
export function listServices(rootDir: string): string[] {
  const dir = join(rootDir, 'services');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'serverless.yml')))
    .sort();
}

const hasResource = (resolver: TemplateResolver, type: string) =>
  resourcesOfType(resolver.template, type, resolver.stack).length > 0;

/**
 * Starts every (or some) service of the repo locally: packages them (`ensurePackaged`), starts the
 * stand-ins on 127.0.0.1 (IoT gateway, event bus, SQS, DynamoDB, S3, Kinesis + Pipes, PostgreSQL
 * when a service has an RDS database), and wires each service's built bundles from its packaged
 * CloudFormation template: rules and targets, queue triggers, pipes, topic rules and authorizers,
 * HTTP API routes.
 *
 * @example
 * const dev = await startDevEnvironment({ rootDir: process.cwd() });
 * console.log(dev.service('event-logger')?.http?.url);
 * await dev.close();
 */
export async function startDevEnvironment(options: DevEnvironmentOptions): Promise<DevEnvironment> {
  const started = Date.now();
  const rootDir = resolve(options.rootDir);
  const progress = options.onProgress ?? (() => undefined);
  const stage = options.stage ?? 'dev';
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const ports: DevPorts = { ...DEFAULT_DEV_PORTS, ...options.ports };
  const all = listServices(rootDir);
  const names = options.services?.length ? options.services : all;
  for (const name of names) if (!all.includes(name)) throw new UnknownServiceError(name, all);
  const httpPortOf = (name: string) => (ports.http === 0 ? 0 : ports.http + all.indexOf(name));
  await assertDevPortsFree(
    { ...ports, dashboard: 0, http: 0 },
    names.map((n) => httpPortOf(n)),
  );

  const dataDir = resolve(options.dataDir ?? join(rootDir, '.local'));
  if (options.reset && existsSync(join(dataDir, 'dev.pid'))) claimDataDir(dataDir)();
  if (options.reset) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const releaseDataDir = claimDataDir(dataDir);

  for (const name of names) {
    const t = Date.now();
    // Only worth a line when osls actually runs (a changed service: tens of seconds).
    const notice = setTimeout(() => progress(`packaging ${name} (osls package: its sources changed)…`), 1000);
    await ensurePackaged(join(rootDir, 'services', name)).finally(() => clearTimeout(notice));
    if (Date.now() - t >= 1000) progress(`packaged ${name} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }

  let stack: LocalStack | undefined;
  const closeAll = async () => {
    await stack?.close();
    releaseDataDir();
  };
  try {
    const local = await startLocalStack({ region, accountId, dataDir, ports });
    stack = local;
    const { sqs, bus, dynamodb, s3, kinesis, secretsManager } = local;
    const feed = new ActivityFeed();
    const s3Client = local.clients.s3;
    const baseEnvironment = local.environment;

    // Phase 1: resolve each service and create its queues, tables, buckets and streams.
    const services: DevService[] = [];
    const pending: Array<{ name: string; dir: string; resolver: TemplateResolver; functions: LocalFunction[] }> = [];
    for (const name of names) {
      const dir = join(rootDir, 'services', name);
      const state = readPackagedServiceState(dir);
      const resolver = new TemplateResolver(loadPackagedTemplate(dir), {
        stackName: `${state.service || name}-${stage}`,
        region,
        accountId,
      });
      await local.provision(resolver);
      const functions = devFunctionsFromTemplate(resolver, state.localEnvironment);
      for (const fn of functions) {
        fn.environment.POWERTOOLS_LOG_LEVEL = options.logLevel ?? 'WARN';
      }
      pending.push({ name, dir, resolver, functions });
    }

    // PostgreSQL when a service has an RDS database: its functions switch to the documented local mode.
    let postgres: DevPostgres | undefined;
    const databaseService = pending.find(
      (s) => hasResource(s.resolver, 'AWS::RDS::DBCluster') || hasResource(s.resolver, 'AWS::RDS::DBProxy'),
    );
    if (databaseService) {
      const sample = databaseService.functions.find((f) => f.environment.DB_NAME && f.environment.DB_USER);
      // The local superuser takes the cluster's master user name: functions may each have their own user.
      const masterUser = Object.values(databaseService.resolver.template.Resources).find(
        (r) => r.Type === 'AWS::RDS::DBCluster',
      )?.Properties?.MasterUsername;
      const t = Date.now();
      postgres = await startDevPostgres({
        directory: join(dataDir, 'postgres'),
        port: ports.postgres === 0 ? await freeDevPort() : ports.postgres,
        database: sample?.environment.DB_NAME ?? 'app',
        user: typeof masterUser === 'string' ? masterUser : (sample?.environment.DB_USER ?? 'app_admin'),
      });
      const pg = postgres;
      local.onClose(() => pg.stop());
      progress(`PostgreSQL on 127.0.0.1:${pg.port} (${Date.now() - t} ms)`);
      for (const fn of databaseService.functions) {
        if ('DB_HOST' in fn.environment) Object.assign(fn.environment, pg.environment);
      }
    }

    // Phase 2: a local Lambda per service (the built bundles), then the IoT gateway with every topic rule and authorizer.
    const lambdas = new Map<string, ObservedLambda>();
    for (const s of pending) {
      const loader = bundleHandlerLoader(s.dir, join(dataDir, 'bundles', s.name));
      lambdas.set(s.name, new ObservedLambda(s.name, s.functions, loader, baseEnvironment, feed));
    }
    let gateway: IotGateway | undefined;
    const iotServices = pending.filter(
      (s) => hasResource(s.resolver, 'AWS::IoT::TopicRule') || hasResource(s.resolver, 'AWS::IoT::Authorizer'),
    );
    if (iotServices.length > 0) {
      const merged: IotGatewayOptions = { region, accountId, rules: [], authorizers: {}, credentials: [] };
      const byArn = new Map<string, ObservedLambda>();
      for (const s of iotServices) {
        const lambda = lambdas.get(s.name) as ObservedLambda;
        for (const fn of s.functions) byArn.set(fn.arn, lambda);
        const o = iotGatewayOptionsFromTemplate(s.resolver, lambda, sqs);
        merged.rules?.push(...(o.rules ?? []));
        Object.assign(merged.authorizers as object, o.authorizers);
        // Presigned URLs signed with the local keys carry the IoT statements of the function that signs them.
        for (const fn of s.functions.filter((f) => 'IOT_ENDPOINT' in f.environment)) {
          const policies = iotPoliciesOfFunction(s.resolver, fn.logicalId);
          if (policies.some((p) => JSON.stringify(p).includes('iot:Connect'))) {
            merged.credentials?.push({ ...DEV_CREDENTIALS, policies });
          }
        }
      }
      merged.actions = {
        lambda: async (arn, payload) => {
          const lambda = byArn.get(arn.replace(/:(\$LATEST|\d+)$/, ''));
          if (!lambda) throw new Error(`No local function ${arn}`);
          await lambda.invoke(arn, payload);
        },
        sqs: async (queueUrl, body) => {
          await sqs.sendMessage(queueUrl, body, {});
        },
      };
      gateway = await startIotGateway({ ...merged, port: ports.iotWebSocket, mqttPort: ports.iotMqtt });
      const g = gateway;
      local.onClose(() => g.close());
      g.onMessage((m) => {
        if (m.topic.startsWith('$aws/rules/')) return;
        feed.publish({
          kind: 'mqtt',
          topic: m.topic,
          payload: m.payload.toString('utf8').slice(0, 4000),
          ...(m.clientId ? { clientId: m.clientId } : {}),
          retain: m.retain,
          at: new Date().toISOString(),
        });
      });
      for (const s of pending) {
        for (const fn of s.functions) {
          if (!('IOT_ENDPOINT' in fn.environment)) continue;
          fn.environment.IOT_ENDPOINT = g.host;
          // The local gateway speaks ws://, not wss:// (presign reads this local-only switch).
          fn.environment.IOT_URL_SCHEME = 'ws';
          fn.environment.AWS_ENDPOINT_URL_IOT_DATA_PLANE = g.dataPlaneEndpoint;
        }
      }
    }

    // Phase 3: buses, queue triggers, pipes and HTTP APIs.
    const pipeBuses = new Set<string>();
    for (const s of pending) {
      const lambda = lambdas.get(s.name) as ObservedLambda;
      const firehose = LocalFirehose.fromTemplate(s.resolver, { s3: s3Client });
      local.onClose(() => firehose.close());
      const busesBefore = new Set(bus.eventBuses.map((b) => b.name));
      bus.loadTemplate(s.resolver, { lambda, sqs, firehose });
      const buses = bus.eventBuses.map((b) => b.name).filter((b) => !busesBefore.has(b));
      const triggers = startQueueTriggers(s.resolver, sqs, lambda, { pollIntervalMs: 100, logger: null });
      local.onClose(() => triggers.stop());
      let pipes: LocalPipes | undefined;
      if (pipesFromTemplate(s.resolver).length > 0) {
        pipes = await startPipesFromTemplate(s.resolver, {
          kinesis: kinesis.client,
          lambda,
          eventBridge: bus,
          sqs,
          region,
          pollIntervalMs: 200,
        });
        const p = pipes;
        local.onClose(() => p.stop());
        for (const pipe of p.pipes) {
          // A pipe whose target is a function (qldb-pipe) publishes through it to the service's own buses.
          if (pipe.targetKind === 'lambda') for (const b of buses) pipeBuses.add(b);
          else pipeBuses.add(pipe.target.split('/').slice(-1)[0] ?? pipe.target);
        }
      }
      const routes = httpRoutesFromTemplate(s.resolver);
      let http: DevService['http'];
      if (routes.length > 0) {
        const api = await LocalHttpApi.start(routes, lambda, {
          port: httpPortOf(s.name),
          region,
          accountId,
          onRequest: (entry) =>
            feed.publish({
              kind: 'http',
              service: s.name,
              routeKey: entry.routeKey,
              status: entry.status,
              ms: entry.ms,
              at: new Date().toISOString(),
            }),
        });
        local.onClose(() => api.close());
        http = { url: api.url, routes };
      }
      services.push({ ...s, lambda, http, triggers, pipes, firehose, buses });
    }

    bus.onEvent((event, info) => {
      const detail = event.detail as Record<string, unknown>;
      const isEnvelope = typeof detail?.correlationId === 'string';
      feed.publish({
        kind: 'bus',
        service: services.find((s) => s.buses.includes(info.busName))?.name ?? '',
        bus: info.busName,
        fromPipe: pipeBuses.has(info.busName),
        id: event.id,
        source: event.source,
        detailType: event['detail-type'],
        time: event.time,
        ...(isEnvelope
          ? {
              envelope: {
                correlationId: detail.correlationId,
                sequenceNr: detail.sequenceNr,
                idempotencyKey: detail.idempotencyKey,
                persist: detail.persist,
              },
            }
          : {}),
        detail,
        at: new Date().toISOString(),
      });
    });

    // Database migrations once at start, as a deploy would run them.
    if (databaseService && postgres) {
      const migrate = databaseService.functions.find((f) => f.name.endsWith('-migrate'));
      if (migrate) {
        const t = Date.now();
        const result = await (lambdas.get(databaseService.name) as ObservedLambda).invoke(migrate.name, {});
        progress(`migrated ${databaseService.name} (${Date.now() - t} ms): ${JSON.stringify(result)}`);
      }
    }

    const firehoses = services.map((s) => s.firehose);
    return {
      rootDir,
      dataDir,
      region,
      accountId,
      services,
      feed,
      sqs,
      bus,
      dynamodb,
      s3,
      kinesis,
      secretsManager,
      gateway,
      postgres,
      startupMs: Date.now() - started,
      service: (name) => services.find((s) => s.name === name),
      settle: async () => {
        for (let round = 0; round < 3; round++) {
          await Promise.all(services.map((s) => s.pipes?.idle()));
          await bus.idle();
          await gateway?.idle();
          await Promise.all(services.map((s) => s.triggers.idle(20_000)));
          await bus.idle();
        }
        await Promise.all(firehoses.map((f) => f.flush()));
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
