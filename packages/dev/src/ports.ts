import { createServer } from 'node:net';

/** Where each local stand-in listens (127.0.0.1). 0 = a free port chosen at start. */
export interface DevPorts {
  dashboard: number;
  /** The first service's HTTP API; the others follow (base + index of the service in services/). */
  http: number;
  iotWebSocket: number;
  iotMqtt: number;
  eventBridge: number;
  sqs: number;
  dynamodb: number;
  s3: number;
  kinesis: number;
  postgres: number;
}

/** Fixed defaults, so URLs stay the same between runs. */
export const DEFAULT_DEV_PORTS: DevPorts = {
  dashboard: 4000,
  http: 3001,
  iotWebSocket: 8083,
  iotMqtt: 1883,
  eventBridge: 4010,
  sqs: 9324,
  dynamodb: 8000,
  s3: 4569,
  kinesis: 4567,
  postgres: 55432,
};

/** The command-line flag (and environment variable) that sets each port. */
export const DEV_PORT_FLAGS: Record<keyof DevPorts, { flag: string; env: string; what: string }> = {
  dashboard: { flag: '--port', env: 'DEV_PORT', what: 'the dashboard' },
  http: { flag: '--http-port', env: 'DEV_HTTP_PORT', what: 'the HTTP APIs' },
  iotWebSocket: { flag: '--iot-port', env: 'DEV_IOT_PORT', what: 'the IoT gateway (WebSocket + data plane)' },
  iotMqtt: { flag: '--mqtt-port', env: 'DEV_MQTT_PORT', what: 'the IoT gateway (MQTT over TCP)' },
  eventBridge: { flag: '--eventbridge-port', env: 'DEV_EVENTBRIDGE_PORT', what: 'the event bus' },
  sqs: { flag: '--sqs-port', env: 'DEV_SQS_PORT', what: 'SQS' },
  dynamodb: { flag: '--dynamodb-port', env: 'DEV_DYNAMODB_PORT', what: 'DynamoDB' },
  s3: { flag: '--s3-port', env: 'DEV_S3_PORT', what: 'S3' },
  kinesis: { flag: '--kinesis-port', env: 'DEV_KINESIS_PORT', what: 'Kinesis' },
  postgres: { flag: '--postgres-port', env: 'DEV_POSTGRES_PORT', what: 'PostgreSQL' },
};

export class DevPortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly flag: string,
    readonly env: string,
  ) {
    super(
      `Port ${port} on 127.0.0.1 (${what}) is already in use. Stop what holds it, or choose another port: ${flag} <port> (or ${env}=<port>; 0 picks a free one).`,
    );
    this.name = 'DevPortInUseError';
  }
}

/** Resolves when `port` can be bound on 127.0.0.1; rejects with the bind error otherwise. */
export function probePort(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/**
 * Checks every fixed port before anything starts, so a busy one is a clear message naming the
 * flag to change, not a half-started environment.
 */
export async function assertDevPortsFree(ports: Partial<DevPorts>, httpPorts: number[] = []): Promise<void> {
  const checks: Array<[number, keyof DevPorts]> = Object.entries(ports)
    .filter(([key, port]) => key !== 'http' && typeof port === 'number' && port > 0)
    .map(([key, port]) => [port as number, key as keyof DevPorts]);
  for (const port of httpPorts) if (port > 0) checks.push([port, 'http']);
  for (const [port, key] of checks) {
    try {
      await probePort(port);
    } catch (error) {
      const { flag, env, what } = DEV_PORT_FLAGS[key];
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new DevPortInUseError(port, what, flag, env);
      throw error;
    }
  }
}
