/**
 * `pnpm dev` end to end in headless Chromium: every service from its packaged template and built
 * bundles, the dashboard page, one button per action the services declare (read from /api/config,
 * so this test names no service), each action's outcome on the page. What each action must achieve
 * is tested in its service (test/localActions.test.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { listServices } from '../src/devServices.js';
import { type DevProcess, REPO_ROOT, startDevProcess } from './helpers/devProcess.js';

/** What the page reads from /api/config that these tests rely on. */
interface DashboardConfig {
  services: Array<{ name: string; actions: Array<{ id: string }>; browserMqtt?: unknown }>;
  endpoints: Record<string, unknown>;
}

const ARTEFACTS = join(REPO_ROOT, 'packages', 'dev', 'test-results');
const FLOW_TIMEOUT = 60_000;
// A test waits for one or two flows; jest runs several projects with its 5 s default timeout (a
// project's own testTimeout is ignored then), so this file sets its own.
import.meta.jest.setTimeout(3 * FLOW_TIMEOUT);

let dev: DevProcess;
let browser: Browser;
let page: Page;
let dataDir: string;
let config: DashboardConfig;
const pageErrors: string[] = [];

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
  config = (await (await fetch(`${dev.ready.dashboard}/api/config`)).json()) as DashboardConfig;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('pnpm dev: the dashboard in a browser', () => {
  it('lists every service in services/ and connects to the IoT gateway with a presigned URL', async () => {
    // Prepare
    const names = listServices(REPO_ROOT);

    // Assess
    const summary = await page.getByTestId('summary').textContent();
    expect(summary).toContain(`${names.length} service(s): ${names.join(', ')}`);
    expect(await page.getByTestId('services').textContent()).toContain('GET http://127.0.0.1:');
    if (config.services.some((s) => s.browserMqtt)) {
      await page.waitForSelector('[data-testid="mqtt-status"][data-state="subscribed"]', { timeout: FLOW_TIMEOUT });
    }
    // A ceiling, not a speed figure: with seven test runs on two cores start-up was seen at 20 s.
    expect(dev.ready.startupMs).toBeLessThan(90_000);
    await screenshot('1-connected');
  });

  it('renders one button per action the services declare in their local.ts', async () => {
    // Assess
    const declared = config.services.flatMap((s) => s.actions.map((a) => `action-${s.name}-${a.id}`));
    expect(declared.length).toBeGreaterThan(0);
    for (const testId of declared) expect(await page.getByTestId(testId).count()).toBe(1);
  });

  it(
    'runs every declared action from its button: a result in the list, or its error in the status line',
    async () => {
      for (const s of config.services) {
        for (const action of s.actions) {
          // Act
          const results = page.getByTestId('action-results').locator(`li[data-action="${s.name}/${action.id}"]`);
          const before = await results.count();
          await page.getByTestId(`action-${s.name}-${action.id}`).click();

          // Assess: the button is enabled again once the action answered, one way or the other
          await page
            .locator(`[data-testid="action-${s.name}-${action.id}"]:enabled`)
            .waitFor({ timeout: FLOW_TIMEOUT });
          const status = String(await page.getByTestId('action-status').textContent());
          const outcome = (await results.count()) > before ? 'result' : status.includes(' failed: ') ? 'error' : 'none';
          expect(`${s.name}/${action.id}: ${outcome}`).not.toMatch(/: none$/);
        }
      }
      await screenshot('2-all-actions');
    },
    6 * FLOW_TIMEOUT,
  );

  it('shows what the actions caused: invocations, bus events with their declared columns, gateway messages', async () => {
    // Act
    await page.locator('[data-testid="invocations"] li').first().waitFor({ timeout: FLOW_TIMEOUT });

    // Assess
    expect(await page.locator('[data-testid="invocations"] li.ok').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('bus-events').locator('tr').count()).toBeGreaterThan(0);
    if (config.services.some((s) => s.browserMqtt)) {
      expect(await page.getByTestId('mqtt-gateway').locator('li').count()).toBeGreaterThan(0);
    }
  });

  it('shows a failed invocation with its stack trace mapped to the TypeScript sources', async () => {
    // Assess
    const stacks = await page.locator('[data-testid="invocations"] pre.stack').allTextContents();
    for (const text of stacks) {
      expect(text).toMatch(/\.ts:\d+/);
      expect(text).not.toMatch(/\.[cm]js:\d+/);
    }
    await screenshot('3-all-flows');
    expect(pageErrors).toEqual([]);
  });

  it('stops cleanly on Ctrl-C: exit code 0, no port left open, PostgreSQL stopped', async () => {
    // Prepare
    const postmasterPid = join(dataDir, 'postgres', 'postmaster.pid');
    expect(existsSync(postmasterPid)).toBe(config.endpoints.postgres !== undefined);

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
