import { parseArgs } from 'node:util';
import type { RealtimeLoad } from './realtimeCost.js';

export class InvalidArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArgumentError';
  }
}

export const COST_USAGE = `Usage: pnpm --filter iot-realtime cost [options]

  --connections N           clients connected at the same time (required)
  --hours H                 hours a day they stay connected, 0 < H <= 24 (default 24)
  --days D                  days in the month (default 30)
  --messages-per-minute M   messages each connected client receives per minute (required)
  --fanout F                clients one published message reaches: 1 = per-user, N = broadcast (default 1)
  --message-kb S            message size in KB, payload plus topic (default 1)
  --rule-actions A          IoT Core: actions of the rule each published message triggers (default 0)
  --publisher server|client who publishes: the backend, or clients over their WebSocket (default server)
  --region R                AWS Region in pricing.json (default us-east-1)
  --free-tier               subtract the 12-month free tier of a new account (default: not included)
  --help                    this text`;

function numberOption(values: Record<string, unknown>, name: string, fallback?: number): number {
  const raw = values[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new InvalidArgumentError(`--${name} is required`);
    return fallback;
  }
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`--${name} must be a number, got "${String(raw)}"`);
  }
  return value;
}

/**
 * Reads the calculator's command line into a load and a Region; throws `InvalidArgumentError` for
 * unknown flags, missing required ones and values that are not numbers.
 *
 * @example
 * parseCostArguments(['--connections', '10000', '--messages-per-minute', '2']);
 */
export function parseCostArguments(argv: string[]): { load: RealtimeLoad; region: string; help: boolean } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        connections: { type: 'string' },
        hours: { type: 'string' },
        days: { type: 'string' },
        'messages-per-minute': { type: 'string' },
        fanout: { type: 'string' },
        'message-kb': { type: 'string' },
        'rule-actions': { type: 'string' },
        publisher: { type: 'string' },
        region: { type: 'string' },
        'free-tier': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  if (values.help) return { load: undefined as unknown as RealtimeLoad, region: '', help: true };
  const publisher = (values.publisher as string | undefined) ?? 'server';
  if (publisher !== 'server' && publisher !== 'client') {
    throw new InvalidArgumentError(`--publisher must be "server" or "client", got "${publisher}"`);
  }
  const load: RealtimeLoad = {
    connections: numberOption(values, 'connections'),
    hoursPerDay: numberOption(values, 'hours', 24),
    days: numberOption(values, 'days', 30),
    messagesPerMinute: numberOption(values, 'messages-per-minute'),
    fanout: numberOption(values, 'fanout', 1),
    messageKb: numberOption(values, 'message-kb', 1),
    ruleActions: numberOption(values, 'rule-actions', 0),
    publisher,
    freeTier: values['free-tier'] === true,
  };
  return { load, region: (values.region as string | undefined) ?? 'us-east-1', help: false };
}
