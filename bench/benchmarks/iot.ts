import { execFileSync, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { LocalSecretsManager } from '@blueprints/local-secrets-manager';
import { formatNumber, formatRatio, formatSample, quantile, type Sample, summarize } from '../harness/statistics.js';
import type { BenchContext, Benchmark, BenchmarkOutcome, ResultTable, TargetCheck } from '../harness/types.js';
import { notAvailable } from '../harness/types.js';
import { importFrom, missingFiles } from '../harness/workspaceImport.js';

type IotModule = typeof import('@blueprints/common');
type GatewayModule = typeof import('@blueprints/local-iot');
type IotPolicyDocument = import('@blueprints/common').IotPolicyDocument;
type IotAction = import('@blueprints/common').IotAction;

interface MqttClient {
  subscribeAsync(topic: string, options: { qos: 0 | 1 }): Promise<unknown>;
  publish(topic: string, payload: Buffer, options: { qos: 0 | 1 }, callback: (error?: Error) => void): void;
  on(event: 'message', listener: (topic: string, payload: Buffer) => void): void;
  endAsync(force?: boolean): Promise<void>;
}
interface MqttModule {
  connectAsync(url: string, options: Record<string, unknown>): Promise<MqttClient>;
}
interface AedesModule {
  Aedes: { createBroker(): Promise<{ handle: (socket: unknown) => void; close(cb?: () => void): void }> };
}

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/** A compact HS256 JWT of `claims`, as a client signs one for the custom authorizer. */
function hs256Token(claims: Record<string, unknown>, secret: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** Runs `fn` repeatedly for `count` iterations per round and returns operations per second per round. */
async function opsPerSecond(rounds: number, count: number, fn: (i: number) => unknown): Promise<Sample> {
  for (let i = 0; i < Math.min(count, 200); i++) await fn(i); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    for (let i = 0; i < count; i++) await fn(i);
    rates.push(count / ((performance.now() - started) / 1000));
  }
  return summarize(rates);
}

interface LoadResult {
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  received: number;
  sent: number;
}

/**
 * One publisher and one subscriber (mqtt.js over TCP), `messages` messages of ~100 bytes to one topic,
 * at most 100 publishes outstanding; latency = receive time − send time stamped in the payload.
 * Gives up after `timeoutMs` and reports what arrived.
 */
async function mqttLoad(
  mqtt: MqttModule,
  url: string,
  options: { qos: 0 | 1; messages: number; timeoutMs: number; connect?: (role: string) => Record<string, unknown> },
): Promise<LoadResult> {
  const topic = 'bench/load';
  const base = { reconnectPeriod: 0, connectTimeout: 10_000, protocolVersion: 4 };
  const sub = await mqtt.connectAsync(url, { ...base, clientId: 'bench-sub', ...options.connect?.('sub') });
  const pub = await mqtt.connectAsync(url, { ...base, clientId: 'bench-pub', ...options.connect?.('pub') });
  try {
    await sub.subscribeAsync(topic, { qos: options.qos });
    const latencies: number[] = [];
    let lastReceived = 0;
    let done: () => void = () => undefined;
    const allReceived = new Promise<void>((resolve) => {
      done = resolve;
    });
    sub.on('message', (_topic, payload) => {
      const now = performance.now();
      const sentAt = Number(payload.toString('latin1', 0, payload.indexOf(32)));
      latencies.push(now - sentAt);
      lastReceived = now;
      if (latencies.length === options.messages) done();
    });
    const padding = 'x'.repeat(80);
    const started = performance.now();
    let outstanding = 0;
    let release: () => void = () => undefined;
    for (let i = 0; i < options.messages; i++) {
      while (outstanding >= 100) await new Promise<void>((resolve) => (release = resolve));
      outstanding++;
      pub.publish(topic, Buffer.from(`${performance.now()} ${i} ${padding}`, 'latin1'), { qos: options.qos }, () => {
        outstanding--;
        release();
      });
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([allReceived, new Promise<void>((resolve) => (timer = setTimeout(resolve, options.timeoutMs)))]);
    clearTimeout(timer);
    const received = latencies.length;
    return {
      messagesPerSecond: received / (((lastReceived || performance.now()) - started) / 1000),
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      received,
      sent: options.messages,
    };
  } finally {
    await Promise.all([pub.endAsync(true), sub.endAsync(true)]);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function mosquittoBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto']) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

interface Broker {
  url: string;
  stop(): Promise<void>;
  connect?: (role: string) => Record<string, unknown>;
  version?: string;
}

async function startMosquitto(context: BenchContext, binary: string): Promise<Broker> {
  const port = await freePort();
  const config = join(context.workDir, 'mosquitto.conf');
  // Loopback only, no persistence, no logging; started from a generated config, never as a system service.
  writeFileSync(
    config,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest none', ''].join('\n'),
  );
  const child = spawn(binary, ['-c', config], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, 5000);
  let version = '';
  try {
    version = execFileSync(binary, ['-h'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  } catch (error) {
    version = String((error as { stdout?: string }).stdout ?? '').split('\n')[0] ?? '';
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    version,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startBareAedes(context: BenchContext): Promise<Broker> {
  const { Aedes } = await importFrom<AedesModule>(join(context.repoRoot, 'packages', 'local-iot'), 'aedes');
  const broker = await Aedes.createBroker();
  const server: Server = createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

export const iot: Benchmark = {
  name: 'iot',
  title: '5. IoT: URL signing, authorizer, policy checks, local gateway vs bare aedes vs Mosquitto',
  async run(context): Promise<BenchmarkOutcome> {
    const missing = missingFiles(context.repoRoot, [
      'packages/common/src/iot/presignIotUrl.ts',
      'packages/local-iot/src/evaluateIotPolicy.ts',
    ]);
    if (missing.length > 0) return notAvailable(`missing ${missing.join(', ')}`);
    const common = {
      ...((await import('@blueprints/common')) as IotModule),
      ...((await import('@blueprints/local-iot')) as GatewayModule),
    };
    const quick = context.quick;
    const rounds = quick ? 3 : 9;
    const tables: ResultTable[] = [];
    const targets: TargetCheck[] = [];
    const notes: string[] = [];
    const data: Record<string, unknown> = {};

    // --- signing, authorizer, policy evaluation (in-process) ---
    const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret', sessionToken: 'bench-token' };
    const presign = await opsPerSecond(rounds, quick ? 1000 : 10_000, (i) =>
      common.presignIotUrl({
        host: 'example-ats.iot.us-east-1.amazonaws.com',
        region: REGION,
        credentials,
        expiresIn: 900,
        now: new Date(1_767_225_600_000 + i),
      }),
    );
    const rows: string[][] = [['presignIotUrl (temporary credentials)', formatSample(presign)]];
    data.presignPerSecond = presign;

    // The deployed authorizer bundle (esbuild.config.cjs), loaded in this process with its environment.
    // It reads its HS256 secret from Secrets Manager (JWT_SECRET_ARN): a local one holds a fresh secret,
    // and the allowed event carries a token signed with it (the sample event's token is signed with a
    // secret nobody holds, so it shows a denial).
    let policies: IotPolicyDocument[] | undefined;
    const inventory = await context.inventory();
    const authorizerFn = inventory.functions.find((f) => f.service === 'iot-realtime' && f.name === 'authorizer');
    const sampleEvent = join(context.repoRoot, 'services', 'iot-realtime', 'events', 'authorizer.json');
    if (!authorizerFn || !existsSync(sampleEvent)) {
      rows.push([
        'iot-realtime authorizer decisions',
        'not available: iot-realtime authorizer or its sample event missing',
      ]);
    } else {
      const bundle = await context.bundles.get(authorizerFn, 'ours');
      const secrets = await LocalSecretsManager.start({ region: REGION, accountId: ACCOUNT });
      const jwtSecret = randomBytes(32).toString('hex');
      const { arn: secretArn } = secrets.createSecret('iot-realtime/bench/jwt-secret', jwtSecret);
      const saved = { ...process.env };
      Object.assign(process.env, authorizerFn.environment, {
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        JWT_SECRET_ARN: secretArn,
      });
      try {
        const { handler } = (await import(bundle.file)) as {
          handler: (event: unknown) => Promise<Record<string, unknown>>;
        };
        const allowEvent = JSON.parse(readFileSync(sampleEvent, 'utf8')) as {
          protocolData: { mqtt: { username: string; password: string } };
        };
        const now = Math.floor(Date.now() / 1000);
        const token = hs256Token({ sub: allowEvent.protocolData.mqtt.username, iat: now, exp: now + 900 }, jwtSecret);
        allowEvent.protocolData.mqtt.password = Buffer.from(token).toString('base64');
        const first = await handler(allowEvent);
        if (first.isAuthenticated !== true) throw new Error('an event with a valid token was denied');
        policies = (first.policyDocuments as string[]).map((d) => JSON.parse(d) as IotPolicyDocument);
        const denyEvent = structuredClone(allowEvent);
        denyEvent.protocolData.mqtt.password = Buffer.from(`${token.slice(0, -4)}AAAA`).toString('base64');
        if ((await handler(denyEvent)).isAuthenticated !== false)
          throw new Error('a token with a bad signature was allowed');
        const count = quick ? 500 : 5000;
        const allow = await opsPerSecond(rounds, count, () => handler(allowEvent));
        const deny = await opsPerSecond(rounds, count, () => handler(denyEvent));
        rows.push(['authorizer: allow (valid HS256 JWT → policy documents)', formatSample(allow)]);
        rows.push(['authorizer: deny (bad signature)', formatSample(deny)]);
        data.authorizerPerSecond = { allow, deny };
        data.authorizerSecretReads = secrets.requestCount('GetSecretValue');
      } finally {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
        await secrets.close();
      }
    }

    // Policy checks: the authorizer's own policies when available, else a builder-made equivalent.
    const documents = policies ?? [
      new common.IotPolicyBuilder({ region: REGION, accountId: ACCOUNT })
        .allowConnect(['alice-*'])
        .allowSubscribe(['users/alice/*', 'news'])
        .allowReceive(['users/alice/*', 'news'])
        .allowPublish(['users/alice/*'])
        .build(),
    ];
    // What the policies grant (each Allow statement's resources, wildcards filled in), and the same requests
    // for another subject, which they must refuse: a mix of allowed and denied checks.
    const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : ([] as T[]).concat(value));
    const allowed = documents
      .flatMap((d) => asList(d.Statement))
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) =>
        asList(statement.Action).map((action) => ({
          action: action as IotAction,
          resource: String(asList(statement.Resource)[0]).replace(/\*/g, 'laptop'),
        })),
      );
    const requests = [...allowed, ...allowed.map((r) => ({ ...r, resource: r.resource.replaceAll('alice', 'bob') }))];
    const clientId = allowed.find((r) => r.action === 'iot:Connect')?.resource.split(':client/')[1] ?? 'alice-laptop';
    const decisions = requests.map((r) => common.evaluateIotPolicy(documents, { ...r, clientId }));
    const policyRate = await opsPerSecond(rounds, quick ? 20_000 : 200_000, (i) => {
      const r = requests[i % requests.length] as (typeof requests)[number];
      return common.evaluateIotPolicy(documents, { ...r, clientId });
    });
    rows.push([`evaluateIotPolicy (${requests.length} request kinds, mixed allow/deny)`, formatSample(policyRate)]);
    data.policyChecksPerSecond = policyRate;
    data.policyDecisions = Object.fromEntries(requests.map((r, i) => [`${r.action} ${r.resource}`, decisions[i]]));
    tables.push({ title: 'operations per second (in-process)', columns: ['operation', 'ops/s'], rows });
    notes.push(
      `ops/s: ${rounds} rounds after a warm-up, median (spread). Policy documents: ${policies ? 'the ones the deployed authorizer bundle returns for events/authorizer.json with a valid token' : 'built with IotPolicyBuilder'}; decisions ${decisions.join(', ')}.`,
    );

    // --- MQTT load: gateway with enforcement vs bare aedes vs Mosquitto ---
    const mqtt = await importFrom<MqttModule>(join(context.repoRoot, 'packages', 'local-iot'), 'mqtt');
    const messages = quick ? 2000 : 20_000;
    const loadRounds = quick ? 1 : 5;
    const brokers: Array<{ name: string; start: () => Promise<Broker> } | { name: string; unavailable: string }> = [];
    const gatewayMissing = missingFiles(context.repoRoot, ['packages/local-iot/src/gateway.ts']);
    const gateway = gatewayMissing.length ? undefined : ((await import('@blueprints/local-iot')) as GatewayModule);
    if (!gateway || typeof gateway.startIotGateway !== 'function') {
      brokers.push({
        name: 'local IoT gateway (policies enforced)',
        unavailable: 'startIotGateway is not in packages/local-iot yet',
      });
    } else {
      const benchPolicy = new common.IotPolicyBuilder({ region: REGION, accountId: ACCOUNT })
        .allowConnect(['bench-*'])
        .allowSubscribe(['bench/*'])
        .allowReceive(['bench/*'])
        .allowPublish(['bench/*'])
        .build();
      brokers.push({
        name: 'local IoT gateway (policies enforced)',
        start: async () => {
          const g = await gateway.startIotGateway({
            region: REGION,
            accountId: ACCOUNT,
            authorizers: {
              bench: async () => ({
                isAuthenticated: true,
                principalId: 'bench',
                disconnectAfterInSeconds: 3600,
                refreshAfterInSeconds: 3600,
                policyDocuments: [JSON.stringify(benchPolicy)],
              }),
            },
          });
          return {
            url: g.mqttUrl,
            connect: () => ({ username: 'bench?x-amz-customauthorizer-name=bench', password: 'bench' }),
            stop: () => g.close(),
          };
        },
      });
    }
    brokers.push({ name: 'bare aedes', start: () => startBareAedes(context) });
    const mosquitto = mosquittoBinary();
    if (mosquitto) brokers.push({ name: 'Mosquitto', start: () => startMosquitto(context, mosquitto) });
    else brokers.push({ name: 'Mosquitto', unavailable: 'mosquitto is not installed (apt-get install -y mosquitto)' });

    const loadRows: string[][] = [];
    const load: Record<
      string,
      Record<string, { messagesPerSecond: Sample; p50Ms: Sample; p99Ms: Sample; lost: number }>
    > = {};
    for (const qos of [0, 1] as const) {
      // Rounds interleave the brokers (gateway, aedes, Mosquitto, gateway, ...), so a busy moment on
      // the machine hits all of them alike.
      const results = new Map<string, LoadResult[]>();
      const failed = new Map<string, string>();
      for (let round = 0; round < loadRounds; round++) {
        for (const entry of brokers) {
          if ('unavailable' in entry || failed.has(entry.name)) continue;
          context.log(`  ${entry.name}, QoS ${qos}: round ${round + 1}/${loadRounds}, ${messages} messages`);
          try {
            const broker = await entry.start();
            try {
              if (round === 0)
                await mqttLoad(mqtt, broker.url, { qos, messages: 200, timeoutMs: 10_000, connect: broker.connect });
              const result = await mqttLoad(mqtt, broker.url, {
                qos,
                messages,
                timeoutMs: 30_000,
                connect: broker.connect,
              });
              results.set(entry.name, [...(results.get(entry.name) ?? []), result]);
            } finally {
              await broker.stop();
            }
          } catch (error) {
            failed.set(entry.name, (error as Error).message.split('\n')[0] as string);
          }
        }
      }
      for (const entry of brokers) {
        if ('unavailable' in entry) {
          loadRows.push([entry.name, `QoS ${qos}`, `not available: ${entry.unavailable}`, '', '', '']);
          continue;
        }
        const reason = failed.get(entry.name);
        const runs = results.get(entry.name) ?? [];
        if (reason !== undefined || runs.length === 0) {
          loadRows.push([entry.name, `QoS ${qos}`, `failed: ${reason ?? 'no result'}`, '', '', '']);
          continue;
        }
        const row = {
          messagesPerSecond: summarize(runs.map((r) => r.messagesPerSecond)),
          p50Ms: summarize(runs.map((r) => r.p50Ms)),
          p99Ms: summarize(runs.map((r) => r.p99Ms)),
          lost: runs.reduce((sum, r) => sum + (r.sent - r.received), 0),
        };
        load[entry.name] = { ...load[entry.name], [`qos${qos}`]: row };
        loadRows.push([
          entry.name,
          `QoS ${qos}`,
          formatSample(row.messagesPerSecond),
          formatSample(row.p50Ms),
          formatSample(row.p99Ms),
          String(row.lost),
        ]);
      }
    }
    tables.push({
      title: `MQTT load: ${formatNumber(messages)} messages of ~100 bytes, 1 publisher → 1 subscriber over TCP on 127.0.0.1`,
      columns: ['broker', 'QoS', 'messages/s', 'p50 latency ms', 'p99 latency ms', 'not received'],
      rows: loadRows,
    });
    const gatewayName = 'local IoT gateway (policies enforced)';
    for (const qos of [0, 1]) {
      const g = load[gatewayName]?.[`qos${qos}`]?.messagesPerSecond.median;
      const a = load['bare aedes']?.[`qos${qos}`]?.messagesPerSecond.median;
      targets.push({
        target: `gateway with enforcement at least 50% of bare aedes throughput (QoS ${qos})`,
        met: g === undefined || a === undefined ? null : g / a >= 0.5,
        detail: g === undefined || a === undefined ? 'not measured' : `${formatRatio(g / a)} of bare aedes (medians)`,
      });
    }
    notes.push(
      `MQTT: ${loadRounds} round(s) per broker and QoS, brokers interleaved round by round, each round on a freshly started broker after a 200-message warm-up on the first; real mqtt.js 5 clients (MQTT 3.1.1), at most 100 publishes outstanding; latency = receive − send time stamped in the payload (same process clock). Brokers run in this process (gateway, aedes) or as a child process (Mosquitto, generated config, 127.0.0.1, stopped after each round). Each run gives up after 30 s and counts what did not arrive. Latencies are taken under that saturating load, so they include queueing: they are not idle round trips. The gateway and aedes share this process's event loop with both clients; Mosquitto runs in its own process (on a 2-core machine that favours Mosquitto).`,
      'The gateway authenticates both clients through a custom authorizer returning one policy (Connect bench-*, Publish/Receive topic/bench/*, Subscribe topicfilter/bench/*); it evaluates that policy on every PUBLISH and on every delivery (iot:Receive). Bare aedes and Mosquitto allow anonymous clients and check nothing.',
    );
    data.mqtt = { messages, rounds: loadRounds, results: load, mosquitto: mosquitto ?? null };
    return {
      status: loadRows.some((r) => r[2]?.startsWith('not available') || r[2]?.startsWith('failed')) ? 'partial' : 'ok',
      tables,
      targets,
      notes,
      data,
    };
  },
};
