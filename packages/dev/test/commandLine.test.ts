import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DEV_USAGE, parseDevCommandLine } from '../src/cli.js';
import { listServices } from '../src/devServices.js';
import { DEFAULT_DEV_PORTS } from '../src/ports.js';
import { REPO_ROOT } from './helpers/devProcess.js';

function runDev(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'dev.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('Function: parseDevCommandLine()', () => {
  it('reads services, reset, ports from flags and environment variables, flags winning', () => {
    // Act
    const parsed = parseDevCommandLine(
      ['--service', 'orders', '--service=payments', '--reset', '--port', '4100', '--sqs-port=0'],
      { DEV_PORT: '4200', DEV_KINESIS_PORT: '4600' },
    );

    // Assess
    expect(parsed).toMatchObject({
      services: ['orders', 'payments'],
      reset: true,
      ports: { dashboard: 4100, sqs: 0, kinesis: 4600 },
    });
  });

  it('watches the sources unless --no-watch is given', () => {
    // Act
    const [plain, noWatch] = [parseDevCommandLine([], {}), parseDevCommandLine(['--no-watch'], {})];

    // Assess
    expect({ plain: plain.watch, noWatch: noWatch.watch }).toEqual({ plain: true, noWatch: false });
  });

  it('sets every port to 0 with --any-ports', () => {
    // Act
    const parsed = parseDevCommandLine(['--any-ports'], {});

    // Assess
    expect(Object.keys(parsed.ports).sort()).toEqual(Object.keys(DEFAULT_DEV_PORTS).sort());
    expect(Object.values(parsed.ports).every((port) => port === 0)).toBe(true);
  });

  it('refuses an unknown option and a port out of range, showing the usage', () => {
    // Act & Assess
    expect(() => parseDevCommandLine(['--bogus'], {})).toThrow(/Unknown option --bogus/);
    expect(() => parseDevCommandLine(['--port', '70000'], {})).toThrow(/--port: "70000" is not a port/);
    expect(() => parseDevCommandLine(['--service'], {})).toThrow(DEV_USAGE.split('\n')[0]);
  });
});

describe('pnpm dev: start-up errors', () => {
  it('names the busy port and the flag that changes it, without a stack trace', async () => {
    // Prepare
    const busy = await listen();
    const port = (busy.address() as { port: number }).port;

    // Act
    const result = runDev(['--any-ports', '--sqs-port', String(port)]);
    busy.close();

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 (SQS) is already in use`);
    expect(result.stderr).toContain(`--sqs-port <port>`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('names the known services when asked for an unknown one', () => {
    // Act
    const result = runDev(['--any-ports', '--service', 'no-such-service']);

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `No service "no-such-service" in services/. Services: ${listServices(REPO_ROOT).join(', ')}`,
    );
  }, 60_000);
});
