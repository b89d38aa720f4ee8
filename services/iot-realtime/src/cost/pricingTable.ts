import { readFileSync } from 'node:fs';

/** A price per million units, charged on every unit. */
export interface FlatPrice {
  perMillion: number;
  /** Payload size one unit covers (a larger message counts as several units). */
  meteringKb?: number;
}

/** Monthly volume tiers: `upToMillions` is the cumulative top of the tier, `null` for the last one. */
export interface TieredPrice {
  meteringKb: number;
  tiers: { upToMillions: number | null; perMillion: number }[];
}

export interface RegionPrices {
  iotCore: {
    connectionMinutes: FlatPrice;
    messages: TieredPrice;
    rulesTriggered: FlatPrice;
    actionsApplied: FlatPrice;
    freeTier: { connectionMinutes: number; messages: number; rulesTriggered: number; actionsApplied: number };
  };
  appSyncEvents: {
    connectionMinutes: FlatPrice;
    operations: TieredPrice;
    freeTier: { connectionMinutes: number; operations: number };
  };
  apiGatewayWebSocket: {
    connectionMinutes: FlatPrice;
    messages: TieredPrice;
    freeTier: { connectionMinutes: number; messages: number };
  };
}

/** `pricing.json`: list prices per Region, with the date they were checked and where they come from. */
export interface PricingTable {
  currency: string;
  checked: string;
  note: string;
  sources: Record<string, string[]>;
  regions: Record<string, RegionPrices>;
}

export class UnknownRegionError extends Error {
  constructor(
    readonly region: string,
    readonly known: string[],
  ) {
    super(
      `No prices for region "${region}" in pricing.json (it has: ${known.join(', ')}); add them from the sources it lists`,
    );
    this.name = 'UnknownRegionError';
  }
}

/** The pricing table shipped beside this file. */
export const PRICING_FILE = new URL('./pricing.json', import.meta.url);

/**
 * Reads a pricing table (by default the one shipped with the calculator).
 *
 * @example
 * const prices = regionPrices(loadPricingTable(), 'us-east-1');
 */
export function loadPricingTable(file: URL | string = PRICING_FILE): PricingTable {
  return JSON.parse(readFileSync(file, 'utf8')) as PricingTable;
}

/** One Region's prices; throws `UnknownRegionError` naming the Regions the table has. */
export function regionPrices(table: PricingTable, region: string): RegionPrices {
  const prices = table.regions[region];
  if (!prices) throw new UnknownRegionError(region, Object.keys(table.regions));
  return prices;
}
