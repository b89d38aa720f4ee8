import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

const SERVICE_DIR = join(import.meta.dirname, '..', '..');

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function runDbLocal(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(SERVICE_DIR, 'scripts', 'local-postgres.ts')], {
      cwd: SERVICE_DIR,
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('pnpm db:local (scripts/local-postgres.ts)', () => {
  it('stops with a message naming pnpm dev when the port is taken, touching no data folder', async () => {
    // Prepare: something (pnpm dev's PostgreSQL) already listens on the port.
    const busy = await listen();
    const port = (busy.address() as { port: number }).port;
    const dataFolderBefore = existsSync(join(SERVICE_DIR, '.local', 'postgres'));

    // Act
    const result = await runDbLocal({ DB_PORT: String(port) }).finally(() => busy.close());

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`pnpm db:local: port ${port} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain('If `pnpm dev` is running, its PostgreSQL is there already');
    expect(result.stderr).not.toContain('triggerUncaughtException');
    expect(existsSync(join(SERVICE_DIR, '.local', 'postgres'))).toBe(dataFolderBefore);
  }, 60_000);
});
