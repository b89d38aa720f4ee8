import type { FlatPrice, RegionPrices, TieredPrice } from './pricingTable.js';

/** A month of realtime traffic, described the same way for every option. */
export interface RealtimeLoad {
  /** Clients connected at the same time. */
  connections: number;
  /** Hours a day those clients stay connected (0 < hours <= 24). */
  hoursPerDay: number;
  /** Days in the month. */
  days: number;
  /** Messages each connected client receives per minute. */
  messagesPerMinute: number;
  /** Clients one published message reaches: 1 for per-user messages, `connections` for a broadcast to all. */
  fanout: number;
  /** Size of one message (payload and topic/channel name), in KB. */
  messageKb: number;
  /** IoT Core only: actions of the one rule each published message triggers (0: no rule). */
  ruleActions: number;
  /** Who publishes: the backend (HTTP/data plane) or clients over their own WebSocket. */
  publisher: 'server' | 'client';
  /** Subtract the 12-month free tier of a new account. */
  freeTier: boolean;
}

/** One billed dimension of one option. */
export interface CostLine {
  item: string;
  /** Billed units this month (after the free tier when it applies). */
  units: number;
  cost: number;
}

export interface OptionCost {
  option: 'IoT Core' | 'AppSync Events' | 'API Gateway WebSocket';
  lines: CostLine[];
  total: number;
}

/** The volumes every option starts from. */
export interface LoadVolumes {
  connectionMinutes: number;
  /** Messages delivered to clients. */
  deliveries: number;
  /** Messages published (deliveries / fanout). */
  publishes: number;
}

export class InvalidLoadError extends Error {
  constructor(
    readonly field: keyof RealtimeLoad,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'InvalidLoadError';
  }
}

function positive(load: RealtimeLoad, field: keyof RealtimeLoad, { allowZero = false, max = Infinity } = {}): void {
  const value = load[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new InvalidLoadError(field, `must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`);
  }
  if (value > max) throw new InvalidLoadError(field, `must be at most ${max}, got ${value}`);
}

/** Throws `InvalidLoadError` naming the first field that makes no sense. */
export function validateLoad(load: RealtimeLoad): void {
  positive(load, 'connections');
  if (!Number.isInteger(load.connections)) throw new InvalidLoadError('connections', 'must be a whole number');
  positive(load, 'hoursPerDay', { max: 24 });
  positive(load, 'days', { max: 31 });
  positive(load, 'messagesPerMinute', { allowZero: true });
  positive(load, 'fanout');
  if (load.fanout > load.connections) {
    throw new InvalidLoadError(
      'fanout',
      `a message cannot reach more clients (${load.fanout}) than are connected (${load.connections})`,
    );
  }
  // Each option caps a message at 128 KB (IoT Core, API Gateway) or 240 KB (AppSync Events).
  positive(load, 'messageKb', { max: 128 });
  positive(load, 'ruleActions', { allowZero: true, max: 10 });
  if (!Number.isInteger(load.ruleActions)) throw new InvalidLoadError('ruleActions', 'must be a whole number');
  if (load.publisher !== 'server' && load.publisher !== 'client') {
    throw new InvalidLoadError('publisher', `must be "server" or "client", got ${String(load.publisher)}`);
  }
}

/** Connection minutes, deliveries and publishes in the month. */
export function loadVolumes(load: RealtimeLoad): LoadVolumes {
  const connectionMinutes = load.connections * load.hoursPerDay * 60 * load.days;
  const deliveries = connectionMinutes * load.messagesPerMinute;
  return { connectionMinutes, deliveries, publishes: deliveries / load.fanout };
}

/** Units a message is billed as: one per started metering increment (a 6 KB message is two 5 KB units). */
export function meteredUnits(messageKb: number, meteringKb: number): number {
  return Math.max(1, Math.ceil(messageKb / meteringKb));
}

function flatCost(units: number, price: FlatPrice): number {
  return (units / 1e6) * price.perMillion;
}

/** Charges tier by tier: the first `upToMillions` at the first price, the next ones at the next. */
export function tieredCost(units: number, price: TieredPrice): number {
  let cost = 0;
  let below = 0;
  for (const tier of price.tiers) {
    const top = tier.upToMillions === null ? Infinity : tier.upToMillions * 1e6;
    const inTier = Math.max(0, Math.min(units, top) - below);
    cost += (inTier / 1e6) * tier.perMillion;
    below = top;
    if (units <= top) break;
  }
  return cost;
}

const minutesLine = (units: number, price: FlatPrice): CostLine => ({
  item: 'connection minutes',
  units,
  cost: flatCost(units, price),
});
const tieredLine = (name: string, units: number, price: TieredPrice): CostLine => ({
  item: `${name} (${price.meteringKb} KB units)`,
  units,
  cost: tieredCost(units, price),
});

const afterFree = (units: number, free: number, load: RealtimeLoad) =>
  load.freeTier ? Math.max(0, units - free) : units;

/** IoT Core: connection minutes; every publish and every delivery is a message (5 KB units); rules and actions per publish. */
export function iotCoreCost(load: RealtimeLoad, prices: RegionPrices['iotCore']): OptionCost {
  const v = loadVolumes(load);
  const size = meteredUnits(load.messageKb, prices.messages.meteringKb);
  const minutes = afterFree(v.connectionMinutes, prices.freeTier.connectionMinutes, load);
  const messages = afterFree((v.publishes + v.deliveries) * size, prices.freeTier.messages, load);
  const ruleSize = meteredUnits(load.messageKb, prices.rulesTriggered.meteringKb ?? 5);
  const rules = afterFree(load.ruleActions > 0 ? v.publishes * ruleSize : 0, prices.freeTier.rulesTriggered, load);
  const actions = afterFree(v.publishes * load.ruleActions * ruleSize, prices.freeTier.actionsApplied, load);
  const lines: CostLine[] = [
    minutesLine(minutes, prices.connectionMinutes),
    tieredLine('messages', messages, prices.messages),
    { item: 'rules triggered', units: rules, cost: flatCost(rules, prices.rulesTriggered) },
    { item: 'rule actions applied', units: actions, cost: flatCost(actions, prices.actionsApplied) },
  ];
  return { option: 'IoT Core', lines, total: sum(lines) };
}

/** AppSync Events: connection minutes; every publish and every delivery is an operation (5 KB units). */
export function appSyncEventsCost(load: RealtimeLoad, prices: RegionPrices['appSyncEvents']): OptionCost {
  const v = loadVolumes(load);
  const size = meteredUnits(load.messageKb, prices.operations.meteringKb);
  const minutes = afterFree(v.connectionMinutes, prices.freeTier.connectionMinutes, load);
  const operations = afterFree((v.publishes + v.deliveries) * size, prices.freeTier.operations, load);
  const lines: CostLine[] = [
    minutesLine(minutes, prices.connectionMinutes),
    tieredLine('operations', operations, prices.operations),
  ];
  return { option: 'AppSync Events', lines, total: sum(lines) };
}

/**
 * API Gateway WebSocket: connection minutes; every message sent to a client is billed (the backend
 * posts to each connection: no fan-out), and so is every message a client sends (32 KB units).
 */
export function apiGatewayWebSocketCost(load: RealtimeLoad, prices: RegionPrices['apiGatewayWebSocket']): OptionCost {
  const v = loadVolumes(load);
  const size = meteredUnits(load.messageKb, prices.messages.meteringKb);
  const minutes = afterFree(v.connectionMinutes, prices.freeTier.connectionMinutes, load);
  const received = load.publisher === 'client' ? v.publishes : 0;
  const messages = afterFree((v.deliveries + received) * size, prices.freeTier.messages, load);
  const lines: CostLine[] = [
    minutesLine(minutes, prices.connectionMinutes),
    tieredLine('messages', messages, prices.messages),
  ];
  return { option: 'API Gateway WebSocket', lines, total: sum(lines) };
}

const sum = (lines: CostLine[]) => lines.reduce((total, line) => total + line.cost, 0);

/**
 * The month's cost of the three options for one load, side by side.
 *
 * @example
 * const load = { connections: 10000, hoursPerDay: 24, days: 30, messagesPerMinute: 2, fanout: 1, messageKb: 1, ruleActions: 0, publisher: 'server', freeTier: false };
 * realtimeCost(load, regionPrices(loadPricingTable(), 'us-east-1')); // [IoT Core, AppSync Events, API Gateway WebSocket]
 */
export function realtimeCost(load: RealtimeLoad, prices: RegionPrices): OptionCost[] {
  validateLoad(load);
  return [
    iotCoreCost(load, prices.iotCore),
    appSyncEventsCost(load, prices.appSyncEvents),
    apiGatewayWebSocketCost(load, prices.apiGatewayWebSocket),
  ];
}
