import { COST_USAGE, InvalidArgumentError, parseCostArguments } from './costArguments.js';
import { formatCostReport } from './costReport.js';
import { loadPricingTable, regionPrices, UnknownRegionError } from './pricingTable.js';
import { InvalidLoadError, realtimeCost } from './realtimeCost.js';

// `pnpm --filter iot-realtime cost --connections 10000 --messages-per-minute 2`: the three options side by side.
try {
  const { load, region, help } = parseCostArguments(process.argv.slice(2));
  if (help) {
    console.log(COST_USAGE);
  } else {
    const table = loadPricingTable();
    console.log(formatCostReport(load, region, table, realtimeCost(load, regionPrices(table, region))));
  }
} catch (error) {
  if (
    error instanceof InvalidArgumentError ||
    error instanceof InvalidLoadError ||
    error instanceof UnknownRegionError
  ) {
    console.error(`Error: ${error.message}\n\n${COST_USAGE}`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
