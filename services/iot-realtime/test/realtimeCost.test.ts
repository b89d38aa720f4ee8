import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, parseCostArguments } from '../src/cost/costArguments.js';
import { loadPricingTable, regionPrices, UnknownRegionError } from '../src/cost/pricingTable.js';
import { InvalidLoadError, type RealtimeLoad, realtimeCost, tieredCost } from '../src/cost/realtimeCost.js';

const table = loadPricingTable();
const usEast1 = regionPrices(table, 'us-east-1');

const aLoad = (overrides: Partial<RealtimeLoad> = {}): RealtimeLoad => ({
  connections: 10_000,
  hoursPerDay: 24,
  days: 30,
  messagesPerMinute: 2,
  fanout: 1,
  messageKb: 1,
  ruleActions: 0,
  publisher: 'server',
  freeTier: false,
  ...overrides,
});

const totals = (load: RealtimeLoad) => Object.fromEntries(realtimeCost(load, usEast1).map((o) => [o.option, o.total]));

describe('Function: realtimeCost()', () => {
  it('prices a per-user load that crosses the first IoT Core message tier (worked example A)', () => {
    // Prepare
    // connection minutes = 10,000 x 24 h x 60 min x 30 days = 432,000,000 (432 M)
    // deliveries = 432 M x 2/min = 864 M; fan-out 1, so publishes = 864 M
    // IoT Core: minutes 432 x $0.08 = $34.56
    //           messages (864 + 864) M = 1,728 M in 1 KB (one 5 KB unit each):
    //           first 1,000 M x $1.00 = $1,000 + next 728 M x $0.80 = $582.40 -> $1,582.40
    //           total $1,616.96
    // AppSync Events: minutes 432 x $0.08 = $34.56; operations 1,728 M x $1.00 = $1,728 -> $1,762.56
    // API Gateway WebSocket: minutes 432 x $0.25 = $108; messages: only the 864 M sent to clients
    //           (the backend posts to each connection) x $1.00 = $864 -> $972.00
    const load = aLoad();

    // Act
    const result = totals(load);

    // Assess
    expect(result['IoT Core']).toBeCloseTo(1616.96, 6);
    expect(result['AppSync Events']).toBeCloseTo(1762.56, 6);
    expect(result['API Gateway WebSocket']).toBeCloseTo(972.0, 6);
  });

  it('prices a large broadcast with the free tier subtracted and size increments (worked example B)', () => {
    // Prepare
    // 10,000 connections x 8 h x 60 x 30 = 144,000,000 minutes; 1 message/min -> 144,000,000 deliveries
    // fan-out 10,000 -> 144,000,000 / 10,000 = 14,400 publishes; 12 KB = 3 units of 5 KB, 1 unit of 32 KB
    // IoT Core: messages (144,000,000 + 14,400) x 3 = 432,043,200 - 500,000 free = 431,543,200 x $1/M = $431.5432
    //           minutes 144,000,000 - 2,250,000 free = 141,750,000 x $0.08/M = $11.34 -> $442.8832
    // AppSync Events: operations 432,043,200 - 250,000 = 431,793,200 x $1/M = $431.7932
    //           minutes 144,000,000 - 600,000 = 143,400,000 x $0.08/M = $11.472 -> $443.2652
    // API Gateway WebSocket: messages 144,000,000 - 1,000,000 = 143,000,000 x $1/M = $143
    //           minutes 144,000,000 - 750,000 = 143,250,000 x $0.25/M = $35.8125 -> $178.8125
    const load = aLoad({ hoursPerDay: 8, messagesPerMinute: 1, fanout: 10_000, messageKb: 12, freeTier: true });

    // Act
    const result = totals(load);

    // Assess
    expect(result['IoT Core']).toBeCloseTo(442.8832, 6);
    expect(result['AppSync Events']).toBeCloseTo(443.2652, 6);
    expect(result['API Gateway WebSocket']).toBeCloseTo(178.8125, 6);
  });

  it('adds IoT rule charges and client publishes (worked example C)', () => {
    // Prepare
    // 1,000 x 24 x 60 x 30 = 43,200,000 minutes; 1/min -> 43.2 M deliveries; fan-out 1 -> 43.2 M publishes
    // IoT Core: messages 86.4 M x $1 = $86.40; rules 43.2 M x $0.15 = $6.48; actions 43.2 M x 1 x $0.15 = $6.48;
    //           minutes 43.2 M x $0.08 = $3.456 -> $102.816
    // AppSync Events: operations 86.4 M x $1 = $86.40 + minutes $3.456 -> $89.856
    // API Gateway WebSocket: messages received 43.2 M + sent 43.2 M = 86.4 M x $1 = $86.40;
    //           minutes 43.2 M x $0.25 = $10.80 -> $97.20
    const load = aLoad({ connections: 1000, messagesPerMinute: 1, ruleActions: 1, publisher: 'client' });

    // Act
    const result = totals(load);

    // Assess
    expect(result['IoT Core']).toBeCloseTo(102.816, 6);
    expect(result['AppSync Events']).toBeCloseTo(89.856, 6);
    expect(result['API Gateway WebSocket']).toBeCloseTo(97.2, 6);
  });

  it.each([
    [{ connections: 0 }, 'connections'],
    [{ connections: 2.5 }, 'connections'],
    [{ hoursPerDay: 25 }, 'hoursPerDay'],
    [{ messagesPerMinute: -1 }, 'messagesPerMinute'],
    [{ fanout: 20_000 }, 'fanout'],
    [{ messageKb: 129 }, 'messageKb'],
    [{ ruleActions: 1.5 }, 'ruleActions'],
  ] as [Partial<RealtimeLoad>, string][])('refuses %j, naming %s', (overrides, field) => {
    // Prepare
    const load = aLoad(overrides);

    // Act
    const act = () => realtimeCost(load, usEast1);

    // Assess
    expect(act).toThrow(InvalidLoadError);
    expect(act).toThrow(new RegExp(`^${field}:`));
  });
});

describe('Function: tieredCost()', () => {
  it('charges each tier only for the units inside it', () => {
    // Prepare: IoT Core tiers $1.00 to 1,000 M, $0.80 to 5,000 M, $0.70 above
    // 6,000 M = 1,000 x $1.00 + 4,000 x $0.80 + 1,000 x $0.70 = $1,000 + $3,200 + $700 = $4,900
    const units = 6_000e6;

    // Act
    const cost = tieredCost(units, usEast1.iotCore.messages);

    // Assess
    expect(cost).toBeCloseTo(4900, 6);
  });
});

describe('Function: regionPrices()', () => {
  it('names the Regions it has when asked for another', () => {
    // Act
    const act = () => regionPrices(table, 'eu-central-1');

    // Assess
    expect(act).toThrow(UnknownRegionError);
    expect(act).toThrow(/us-east-1/);
  });

  it('ships a dated table with sources for every option', () => {
    // Assess
    expect(table.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const option of ['iotCore', 'appSyncEvents', 'apiGatewayWebSocket']) {
      expect(table.sources[option]?.length).toBeGreaterThan(0);
    }
  });
});

describe('Function: parseCostArguments()', () => {
  it('reads the flags with their defaults', () => {
    // Act
    const { load, region } = parseCostArguments(['--connections', '10000', '--messages-per-minute', '2']);

    // Assess
    expect(region).toBe('us-east-1');
    expect(load).toEqual(aLoad());
  });

  it.each([
    [['--messages-per-minute', '2'], /--connections is required/],
    [['--connections', 'many', '--messages-per-minute', '2'], /--connections must be a number/],
    [['--connections', '1', '--messages-per-minute', '2', '--publisher', 'edge'], /--publisher must be/],
    [['--connections', '1', '--messages-per-minute', '2', '--conections', '3'], /conections/],
  ])('refuses %j', (argv, message) => {
    // Act
    const act = () => parseCostArguments(argv);

    // Assess
    expect(act).toThrow(InvalidArgumentError);
    expect(act).toThrow(message);
  });
});

describe('Command: pnpm cost', () => {
  const cli = fileURLToPath(new URL('../src/cost/cli.ts', import.meta.url));
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('prints the three totals side by side', () => {
    // Act
    const { status, stdout } = run(['--connections', '10000', '--messages-per-minute', '2']);

    // Assess
    expect(status).toBe(0);
    expect(stdout).toMatch(
      /IoT Core\s+AppSync Events\s+API Gateway WebSocket\n\s+\$1,616\.96\s+\$1,762\.56\s+\$972\.00/,
    );
  });

  it('exits 2 with the usage on a bad value', () => {
    // Act
    const { status, stderr } = run(['--connections', '10', '--messages-per-minute', '2', '--region', 'mars-1']);

    // Assess
    expect(status).toBe(2);
    expect(stderr).toMatch(/No prices for region "mars-1"/);
    expect(stderr).toMatch(/Usage:/);
  });
});
