/**
 * `pnpm dev` end to end in headless Chromium: every service from its packaged template and built
 * bundles, the dashboard page, each button, each flow's result on the page.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type DevProcess, REPO_ROOT, startDevProcess } from './helpers/devProcess.js';

const ARTEFACTS = join(REPO_ROOT, 'packages', 'dev', 'test-results');
const FLOW_TIMEOUT = 60_000;
// A test waits for one or two flows; jest runs several projects with its 5 s default timeout (a
// project's own testTimeout is ignored then), so this file sets its own.
import.meta.jest.setTimeout(3 * FLOW_TIMEOUT);

let dev: DevProcess;
let browser: Browser;
let page: Page;
let dataDir: string;
const pageErrors: string[] = [];

/** The button the dashboard renders for an action a service declares in its local.ts. */
const actionButton = (service: string, id: string) => page.getByTestId(`action-${service}-${id}`);

/** The JSON the newest run of an action answered, as the results list shows it. */
async function actionResult(service: string, id: string): Promise<unknown> {
  const item = page.getByTestId('action-results').locator(`li[data-action="${service}/${id}"] pre`).first();
  await item.waitFor({ timeout: FLOW_TIMEOUT });
  return JSON.parse(String(await item.textContent()));
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTEFACTS, `dashboard-${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'blueprints-dev-'));
  dev = await startDevProcess(['--data-dir', dataDir]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(dev.ready.dashboard);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('pnpm dev: the dashboard in a browser', () => {
  it('lists the four services and connects to the IoT gateway with a presigned URL', async () => {
    // Assess
    await page.waitForSelector('[data-testid="mqtt-status"][data-state="subscribed"]', { timeout: FLOW_TIMEOUT });
    const summary = await page.getByTestId('summary').textContent();
    expect(summary).toContain('4 service(s): event-logger, iot-realtime, qldb-pipe, rds-proxy-demo');
    expect(await page.getByTestId('services').textContent()).toContain('GET http://127.0.0.1:');
    // A ceiling, not a speed figure: with seven test runs on two cores start-up was seen at 20 s.
    expect(dev.ready.startupMs).toBeLessThan(90_000);
    await screenshot('1-connected');
  });

  it('shows a broadcast arriving at the browser MQTT client', async () => {
    // Act
    await actionButton('iot-realtime', 'broadcast').click();

    // Assess
    await page
      .getByTestId('mqtt-browser')
      .getByText('Hello from the dashboard')
      .first()
      .waitFor({ timeout: FLOW_TIMEOUT });
    expect(await page.getByTestId('mqtt-browser').textContent()).toContain('news');
  });

  it('shows the reply to a sensor reading published through the custom authorizer and the topic rule', async () => {
    // Act
    await actionButton('iot-realtime', 'sensor-reading').click();

    // Assess
    const reply = page.getByTestId('mqtt-gateway').locator('li', { hasText: 'updates/user/dashboard' }).first();
    await reply.waitFor({ timeout: FLOW_TIMEOUT });
    expect(await reply.textContent()).toContain('"type":"sensor-reading"');
    await page
      .getByTestId('invocations')
      .locator('[data-function="iot-realtime-dev-sensorConsumer"] li.ok')
      .first()
      .waitFor({ timeout: FLOW_TIMEOUT });
    expect(await page.locator('[data-function="iot-realtime-dev-authorizer"] li.ok').count()).toBeGreaterThan(0);
  });

  it('shows a batch of events on the bus, per brand on the fair queue, and persisted in the table', async () => {
    // Act
    await actionButton('event-logger', 'publish-events').click();

    // Assess
    const result = (await actionResult('event-logger', 'publish-events')) as {
      persisted: { items: Array<{ detailType: string }> };
    };
    const busRows = page.getByTestId('bus-events').locator('tr[data-source="blueprints.event-logger"]');
    expect(await busRows.count()).toBe(3);
    expect(await busRows.first().textContent()).toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await page.locator('[data-brand="A"] li.ok').first().waitFor({ timeout: FLOW_TIMEOUT });
    await page.locator('[data-brand="B"] li.ok').first().waitFor({ timeout: FLOW_TIMEOUT });
    expect(await page.locator('[data-brand="A"]').textContent()).toContain('"orderId":"a-');
    expect(await page.locator('[data-brand="B"]').textContent()).toContain('"orderId":"b-');
    expect(result.persisted.items.map((item) => item.detailType)).toEqual(['order.placed', 'order.placed']);
    await screenshot('2-events');
  });

  it('shows the pipe output of a demo ledger record: every QLDB record of the aggregated Kinesis record', async () => {
    // Act
    await actionButton('qldb-pipe', 'ledger-record').click();

    // Assess
    const output = page.getByTestId('pipe-output').locator('li');
    await output.nth(3).waitFor({ timeout: FLOW_TIMEOUT });
    const texts = await output.allTextContents();
    expect(texts.filter((t) => t.includes('REVISION_DETAILS'))).toHaveLength(3);
    expect(texts.filter((t) => t.includes('BLOCK_SUMMARY'))).toHaveLength(1);
    expect(texts.join('\n')).toContain('(deleted)');
  });

  it('shows the articles query answered from PostgreSQL', async () => {
    // Act
    await actionButton('rds-proxy-demo', 'articles').click();

    // Assess
    const result = (await actionResult('rds-proxy-demo', 'articles')) as {
      status: number;
      body: { articles: Array<{ title: string }> };
    };
    expect(result.status).toBe(200);
    expect(result.body.articles).toHaveLength(3);
    expect(result.body.articles.map((a) => a.title)).toContain('Pooling connections for Lambda');
  });

  it('shows a failing invocation with its stack trace mapped to the TypeScript sources', async () => {
    // Act
    await actionButton('iot-realtime', 'bad-broadcast').click();

    // Assess
    const stack = page.locator('[data-function="iot-realtime-dev-broadcast"] pre.stack').first();
    await stack.waitFor({ timeout: FLOW_TIMEOUT });
    const text = String(await stack.textContent());
    expect(text).toContain('InvalidBroadcastError: topic must be one of news');
    expect(text).toContain(join('services', 'iot-realtime', 'src', 'broadcast', 'broadcastRequest.ts'));
    expect(text).not.toMatch(/broadcast\.[cm]js:\d+/);
    await screenshot('3-all-flows');
    expect(pageErrors).toEqual([]);
  });

  it('stops cleanly on Ctrl-C: exit code 0, no port left open, PostgreSQL stopped', async () => {
    // Prepare
    const postmasterPid = join(dataDir, 'postgres', 'postmaster.pid');
    expect(existsSync(postmasterPid)).toBe(true);

    // Act
    await browser.close();
    const code = await dev.stop();

    // Assess
    expect(code).toBe(0);
    expect(existsSync(postmasterPid)).toBe(false);
    expect(existsSync(join(dataDir, 'dev.pid'))).toBe(false);
    const urls = [dev.ready.dashboard, ...Object.values(dev.ready.endpoints).filter((v) => typeof v === 'string')];
    for (const url of urls.map(String).filter((u) => u.startsWith('http'))) {
      await expect(fetch(url)).rejects.toThrow();
    }
  }, 60_000);
});
