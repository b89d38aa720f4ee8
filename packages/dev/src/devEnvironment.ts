import { join, resolve } from 'node:path';
import { LocalLambdaApi } from '@blueprints/local-lambda-api';
import { startLocalPostgres } from '@blueprints/local-postgres';
import type { LambdaLogWriter } from '@blueprints/local-runtime';
import { type LocalService, type LocalStack, startLocalStack } from '@blueprints/local-stack';
import { ActivityFeed } from './activityFeed.js';
import { prepareDataDir } from './dataDir.js';
import { listServices, serviceDir, UnknownServiceError } from './devServices.js';
import { feedStackActivity } from './feedActivity.js';
import { HotReload } from './hotReload.js';
import { ObservedLambda } from './ObservedLambda.js';
import { assertDevPortsFree, DEFAULT_DEV_PORTS, type DevPorts } from './ports.js';

export { DevAlreadyRunningError } from './dataDir.js';
export { listServices, NoServicesError, UnknownServiceError } from './devServices.js';

/** One service running locally, wired from its packaged template (see `startLocalStack`). */
export type DevService = LocalService;

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
  /** Aborts start-up (Ctrl-C while packaging): the promise rejects once everything started so far is closed. */
  signal?: AbortSignal;
  /** Where the functions' START/END/REPORT lines and output go (`terminalLogWriter`); default: output unchanged. */
  logWriter?: LambdaLogWriter;
  /**
   * Hot reload: when given, the services' sources and serverless.yml are watched (`HotReload`), and
   * each rebuild or rewire is told here. Without it nothing is watched.
   */
  onReload?: (line: string) => void;
}

/**
 * What `startLocalStack` started for the services (`secretsManager` holds every template's secrets,
 * with freshly generated values), and the feed the dashboard shows.
 */
export interface DevEnvironment
  extends Pick<
    LocalStack,
    | 'region'
    | 'accountId'
    | 'sqs'
    | 'bus'
    | 'dynamodb'
    | 's3'
    | 'kinesis'
    | 'secretsManager'
    | 'services'
    | 'gateway'
    | 'postgres'
    | 'service'
    | 'settle'
  > {
  rootDir: string;
  dataDir: string;
  feed: ActivityFeed;
  /** The Lambda Invoke API over every service's functions (AWS_ENDPOINT_URL_LAMBDA). */
  lambdaApi: LocalLambdaApi;
  /** How long start-up took, ms. */
  startupMs: number;
  close(): Promise<void>;
}

/**
 * How long stopping waits for each handle (a server, the in-flight deliveries, PostgreSQL) before it
 * moves on: a stalled invocation must not hold Ctrl-C, and the process exit ends what is left.
 */
const CLOSE_CEILING_MS = 3_000;

/**
 * Starts every (or some) service of the repo locally with `startLocalStack`: packages them
 * (`ensurePackaged`), starts the stand-ins on 127.0.0.1 (IoT gateway, event bus, SQS, DynamoDB, S3,
 * Kinesis + Pipes, PostgreSQL when a service declares a database in its local.ts), and wires each
 * service's built bundles from its packaged CloudFormation template. Every invocation, bus event,
 * queue delivery, HTTP request and MQTT message goes to the activity feed.
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
  const releaseDataDir = prepareDataDir(dataDir, options.reset, progress);
  const feed = new ActivityFeed();
  let stack: LocalStack | undefined;
  let invokeApi: LocalLambdaApi | undefined;
  const closeAll = async () => {
    await stack?.close();
    releaseDataDir();
  };
  try {
    stack = await startLocalStack({
      services: names.map((name) => serviceDir(rootDir, name)),
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
      stage: options.stage,
      logLevel: options.logLevel ?? 'WARN',
      dataDir,
      ports: { ...ports, http: httpPortOf },
      postgres: startLocalPostgres,
      closeCeilingMs: CLOSE_CEILING_MS,
      signal: options.signal,
      lambda: (s, loader, environment) =>
        new ObservedLambda(s.name, s.functions, loader, environment, feed, {
          logWriter: options.logWriter,
          enforceTimeout: true,
        }),
      onHttpRequest: (request) => feed.publish({ kind: 'http', ...request, at: new Date().toISOString() }),
      onProgress: progress,
    });
    feedStackActivity(stack, feed);
    const running = stack;
    const lambdaApi = await LocalLambdaApi.start({
      invoker: (name) => running.services.find((s) => s.functions.some((f) => f.name === name))?.lambda,
      port: ports.lambda,
      region: stack.region,
      accountId: stack.accountId,
    });
    stack.onClose(() => lambdaApi.close());
    invokeApi = lambdaApi;
    if (options.onReload) {
      const hot = HotReload.start({ services: stack.services, dataDir, target: stack, onLine: options.onReload });
      // Registered last, so stopped first: no rebuild or rewire runs while the stand-ins stop.
      stack.onClose(() => hot.close());
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  // The dashboard and the CLI get the stand-ins and services; provisioning and raw clients stay inside.
  const { clients: _clients, environment: _environment, provision: _provision, onClose: _onClose, ...standIns } = stack;
  return {
    ...standIns,
    rootDir,
    dataDir,
    feed,
    lambdaApi: invokeApi as LocalLambdaApi,
    startupMs: Date.now() - started,
    close: closeAll,
  };
}
