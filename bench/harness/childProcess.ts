import { spawn } from 'node:child_process';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  timedOut: boolean;
}

/**
 * Runs a command, collecting its output, and kills it (SIGKILL) if it outlives `timeoutMs`:
 * every process a benchmark starts stops by itself.
 */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, wallMs: performance.now() - started, timedOut });
    });
  });
}

/** The marker a child script prints its JSON result after (handlers may log to stdout too). */
export const RESULT_MARKER = '@@bench-result ';

/** The JSON a child printed after {@link RESULT_MARKER}, or an error describing what it printed instead. */
export function childResult<T>(result: ChildResult): T {
  const line = result.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_MARKER));
  if (line === undefined) {
    const why = result.timedOut ? 'timed out' : `exit ${result.code ?? result.signal}`;
    const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-6).join(' | ');
    throw new Error(`child process gave no result (${why}): ${output.slice(0, 600)}`);
  }
  return JSON.parse(line.slice(RESULT_MARKER.length)) as T;
}

/**
 * A clean environment for a child Node process that loads a Lambda bundle: no inherited NODE_OPTIONS
 * (tsx's loader must not leak in), placeholder credentials, and every AWS SDK endpoint pointed at a
 * closed local port, so nothing a bundle does can reach AWS.
 */
export function lambdaLikeEnvironment(functionEnvironment: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...functionEnvironment,
  };
}
