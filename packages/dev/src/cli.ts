import { relative } from 'node:path';
import { terminalLogWriter } from '@blueprints/local-runtime';
import { type DashboardServer, describeDevEnvironment, startDashboard } from './dashboardServer.js';
import { type DevEnvironment, startDevEnvironment } from './devEnvironment.js';
import { projectServices } from './devServices.js';
import { assertDevPortsFree, DEFAULT_DEV_PORTS, DEV_PORT_FLAGS, type DevPorts } from './ports.js';

export interface DevCommandLine {
  services: string[];
  reset: boolean;
  ports: Partial<DevPorts>;
  dataDir?: string;
  /** Another project root (a fork) instead of this repo. */
  rootDir?: string;
  logLevel?: string;
  /** Print the handlers' log lines as they wrote them (JSON), not pretty-printed. */
  jsonLogs: boolean;
  /** Print one `DEV_READY {json}` line when ready (for tests and scripts). */
  readyJson: boolean;
  /** Hot reload: watch the sources and serverless.yml (default); `--no-watch` turns it off. */
  watch: boolean;
  help: boolean;
}

export class DevUsageError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${DEV_USAGE}`);
    this.name = 'DevUsageError';
  }
}

export const DEV_USAGE = `Usage: pnpm dev [--service <name>]... [--reset] [--port <dashboard port>] [options]

  --service <name>     start this service only (repeat for several)
  --reset              delete the local data (.local/) first
  --port <n>           dashboard port (default ${DEFAULT_DEV_PORTS.dashboard})
${Object.entries(DEV_PORT_FLAGS)
  .filter(([key]) => key !== 'dashboard')
  .map(
    ([key, { flag, env, what }]) =>
      `  ${`${flag} <n>`.padEnd(20)} ${what} (default ${DEFAULT_DEV_PORTS[key as keyof DevPorts]}, env ${env})`,
  )
  .join('\n')}
  --any-ports          every port 0: free ports chosen at start
  --data-dir <dir>     keep data here instead of .local/
  --root <dir>         run the services of another project root (e.g. a fork)
  --log-level <level>  POWERTOOLS_LOG_LEVEL for the handlers (default WARN)
  --json-logs          print the handlers' log lines as raw JSON (default: LEVEL message {keys})
  --no-watch           no hot reload: edits to handlers and serverless.yml need a restart (saves the
                       background builds' CPU and memory)`;

/** Parses `pnpm dev` arguments; ports also come from DEV_*_PORT environment variables (flags win). */
export function parseDevCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): DevCommandLine {
  const result: DevCommandLine = {
    services: [],
    reset: false,
    ports: {},
    jsonLogs: false,
    readyJson: false,
    watch: true,
    help: false,
  };
  for (const [key, { env: name }] of Object.entries(DEV_PORT_FLAGS)) {
    if (env[name] !== undefined && env[name] !== '') result.ports[key as keyof DevPorts] = portNumber(env[name], name);
  }
  const byFlag = new Map(Object.entries(DEV_PORT_FLAGS).map(([key, { flag }]) => [flag, key as keyof DevPorts]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=') ? (arg.split(/=(.*)/s, 2) as [string, string]) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new DevUsageError(`${flag} needs a value`);
      return v;
    };
    const portKey = byFlag.get(flag);
    if (portKey) result.ports[portKey] = portNumber(value(), flag);
    else if (flag === '--service' || flag === '-s') result.services.push(value());
    else if (flag === '--reset') result.reset = true;
    else if (flag === '--any-ports')
      for (const key of Object.keys(DEFAULT_DEV_PORTS)) result.ports[key as keyof DevPorts] = 0;
    else if (flag === '--data-dir') result.dataDir = value();
    else if (flag === '--root') result.rootDir = value();
    else if (flag === '--log-level') result.logLevel = value();
    else if (flag === '--json-logs') result.jsonLogs = true;
    else if (flag === '--ready-json') result.readyJson = true;
    else if (flag === '--no-watch') result.watch = false;
    else if (flag === '--help' || flag === '-h') result.help = true;
    else if (flag === '--') continue;
    else throw new DevUsageError(`Unknown option ${arg}`);
  }
  return result;
}

function portNumber(text: string | undefined, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new DevUsageError(`${what}: "${text}" is not a port (0-65535)`);
  return n;
}

/** The start-up summary: each service, its functions and local endpoints, and what keeps data. */
export function formatDevSummary(dev: DevEnvironment, dashboardUrl: string, cwd = process.cwd()): string {
  const d = describeDevEnvironment(dev);
  const lines = [
    `pnpm dev: ${d.services.length} service(s) ready in ${(dev.startupMs / 1000).toFixed(1)} s`,
    '',
    `  Dashboard        ${dashboardUrl}`,
    `  Event bus        ${d.endpoints.eventBridge}   (in memory)`,
    `  SQS              ${d.endpoints.sqs}   (in memory)`,
    `  DynamoDB         ${d.endpoints.dynamodb}   (${d.endpoints.dynamodbPersistent ? 'kept on disk' : 'in memory'})`,
    `  S3               ${d.endpoints.s3}   (kept on disk)`,
    `  Kinesis          ${d.endpoints.kinesis}   (in memory)`,
    `  Lambda (Invoke)  AWS_ENDPOINT_URL_LAMBDA=${d.endpoints.lambda}`,
  ];
  if (d.endpoints.iotWebSocket) {
    lines.push(`  IoT (WebSocket)  ${d.endpoints.iotWebSocket}`, `  IoT (MQTT)       ${d.endpoints.iotMqtt}`);
    lines.push(`  IoT data plane   ${d.endpoints.iotDataPlane}`);
  }
  if (d.endpoints.postgres) lines.push(`  PostgreSQL       ${d.endpoints.postgres}   (kept on disk)`);
  lines.push(`  Data             ${relative(cwd, dev.dataDir) || '.'}/   (pnpm dev --reset clears it)`);
  for (const s of d.services) {
    lines.push('', `${s.name}`);
    lines.push(`  functions: ${s.functions.map((f) => f.name).join(', ')}`);
    for (const r of s.http?.routes ?? []) lines.push(`  ${r.routeKey.split(' ')[0]?.padEnd(6)} ${r.url}`);
    for (const b of s.buses) lines.push(`  bus    ${b}`);
    for (const p of s.pipes ?? []) lines.push(`  pipe   ${p.name}: stream ${p.stream} → ${p.target}`);
  }
  lines.push(
    '',
    'HTTP routes declared with `authorizer: aws_iam` are NOT checked locally (no SigV4 verification).',
    'Ctrl-C stops everything.',
  );
  return lines.join('\n');
}

/**
 * How long a stop may take before `pnpm dev` exits anyway: every stand-in's close is bounded well
 * below it, so reaching it is a bug worth the non-zero exit code.
 */
const STOP_DEADLINE_MS = 9_000;

/** `pnpm dev`: starts everything, prints where it is, stops cleanly on Ctrl-C / SIGTERM. */
export async function runDevCommand(rootDir: string, argv: string[]): Promise<void> {
  let options: DevCommandLine;
  try {
    options = parseDevCommandLine(argv);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(DEV_USAGE);
    return;
  }
  // The SDK's Node 20 notice would print once per bundle.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const startup = new AbortController();
  let starting: Promise<DevEnvironment> | undefined;
  let dashboard: DashboardServer | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // pnpm forwards a SIGTERM after the terminal's SIGINT: keep stopping cleanly; a second Ctrl-C forces it.
      if (signal !== 'SIGINT') return;
      // The exit hooks still run: PostgreSQL gets a fast shutdown, dev.pid and packaging locks are removed.
      console.error('\nCtrl-C again: exiting without waiting (PostgreSQL is told to stop, locks are removed)');
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    const forced = setTimeout(() => {
      console.error(
        `\nnot stopped after ${STOP_DEADLINE_MS / 1000} s: exiting anyway (locks removed, PostgreSQL told to stop)`,
      );
      process.exit(1);
    }, STOP_DEADLINE_MS);
    // Stops a start-up still packaging; one further along finishes and is closed below.
    startup.abort();
    await dashboard?.close().catch(() => undefined);
    const dev = await starting?.catch(() => undefined);
    await dev?.close().catch(() => undefined);
    clearTimeout(forced);
    console.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
  const dashboardPort = options.ports.dashboard ?? DEFAULT_DEV_PORTS.dashboard;
  let dev: DevEnvironment;
  try {
    await assertDevPortsFree({ dashboard: dashboardPort });
    // A mistyped --root must not start an empty environment.
    projectServices(options.rootDir ?? rootDir);
    starting = startDevEnvironment({
      rootDir: options.rootDir ?? rootDir,
      services: options.services,
      reset: options.reset,
      ports: options.ports,
      dataDir: options.dataDir,
      logLevel: options.logLevel,
      onProgress: (line) => console.log(`  … ${line}`),
      signal: startup.signal,
      logWriter: terminalLogWriter({ jsonLogs: options.jsonLogs }),
      onReload: options.watch ? (line) => console.log(line) : undefined,
    });
    dev = await starting;
    if (stopping) return;
    dashboard = await startDashboard(dev, dashboardPort);
  } catch (error) {
    // Stopped during start-up: `stop` finishes the job.
    if (stopping) return;
    await starting?.then((d) => d.close()).catch(() => undefined);
    const e = error as Error;
    console.error(`\npnpm dev could not start: ${e.message}`);
    if (process.env.DEBUG) console.error(e.stack);
    process.exit(1);
  }
  if (stopping) return;
  console.log(`\n${formatDevSummary(dev, dashboard.url)}`);
  if (options.readyJson) {
    console.log(`DEV_READY ${JSON.stringify({ dashboard: dashboard.url, ...describeDevEnvironment(dev) })}`);
  }
}
