import type { PricingTable } from './pricingTable.js';
import { loadVolumes, type OptionCost, type RealtimeLoad } from './realtimeCost.js';

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const dollars = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/**
 * The calculator's printout: the load, the derived volumes, each option's billed lines, and the
 * totals side by side.
 *
 * @example
 * console.log(formatCostReport(load, 'us-east-1', table, realtimeCost(load, prices)));
 */
export function formatCostReport(load: RealtimeLoad, region: string, table: PricingTable, costs: OptionCost[]): string {
  const v = loadVolumes(load);
  const out: string[] = [];
  out.push(
    `Monthly cost in ${region}, ${table.currency} list prices checked ${table.checked}, ` +
      `free tier ${load.freeTier ? 'subtracted' : 'not included'}`,
  );
  out.push(
    `Load: ${count(load.connections)} connections x ${load.hoursPerDay} h/day x ${load.days} days, ` +
      `${load.messagesPerMinute} messages/min each, fan-out ${load.fanout}, ${load.messageKb} KB, ` +
      `published by the ${load.publisher}${load.ruleActions ? `, IoT rule with ${load.ruleActions} action(s)` : ''}`,
  );
  out.push(
    `      ${count(v.connectionMinutes)} connection minutes, ${count(v.deliveries)} deliveries, ${count(v.publishes)} publishes`,
  );
  for (const option of costs) {
    out.push('');
    out.push(`${option.option.padEnd(48)}${dollars(option.total).padStart(16)}`);
    for (const line of option.lines) {
      out.push(`  ${line.item.padEnd(26)}${count(line.units).padStart(20)}${dollars(line.cost).padStart(16)}`);
    }
  }
  out.push('');
  const width = Math.max(...costs.map((c) => c.option.length)) + 2;
  out.push(costs.map((c) => c.option.padStart(width)).join(''));
  out.push(costs.map((c) => dollars(c.total).padStart(width)).join(''));
  out.push('');
  out.push('Not included: data transfer out, Lambda and other services behind each option, connect/subscribe');
  out.push('operations. Prices and sources: services/iot-realtime/src/cost/pricing.json.');
  return out.join('\n');
}
