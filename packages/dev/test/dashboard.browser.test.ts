/**
 * `pnpm dev` end to end in headless Chromium, at 1280 and 1920 px: every service of the repo from
 * its packaged template and built bundles, and the dashboard page. The test knows no service: it
 * reads what runs from /api/config and runs every action the services declare, so it holds for any
 * set of services. Screenshots of both widths go to packages/dev/test-results/; with
 * `UPDATE_SCREENSHOTS=1` they replace docs/dashboard-<width>.png (the READMEs show them), so a test run
 * never changes tracked files.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page, type Route } from 'playwright-core';
import {
  type DevProcess,
  eventually,
  REPO_ROOT,
  startDevProcess,
  stopDevProcessesLeftRunning,
} from './helpers/devProcess.js';

/** A ceiling for one flow (an action, an invocation) on a busy two-core machine, not a speed figure. */
const FLOW_TIMEOUT = 90_000;
// jest ignores a project's own testTimeout when it runs several projects, so this file sets its own.
import.meta.jest.setTimeout(4 * FLOW_TIMEOUT);

interface Config {
  services: Array<{
    name: string;
    functions: Array<{ name: string; sampleEvent?: string }>;
    actions: Array<{ id: string; label: string }>;
  }>;
}
type Outcome = { outcome: 'ok'; result: unknown } | { outcome: 'error'; error: { name: string; message: string } };

let dev: DevProcess;
let browser: Browser;
let page: Page;
let dataDir: string;
let config: Config;
const pageErrors: string[] = [];
const failedRequests: string[] = [];

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${dev.ready.dashboard}${path}`);
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

const actionKeys = () => config.services.flatMap((s) => s.actions.map((a) => `${s.name}/${a.id}`));
const card = (key: string): Locator => {
  const [service, id] = key.split('/');
  return page.locator(`article.action[data-service="${service}"][data-action="${id}"]`);
};
const settled = (key: string) =>
  card(key).and(page.locator('[data-state="ok"], [data-state="error"]')).waitFor({ timeout: FLOW_TIMEOUT });
const count = async (id: string) => Number(await page.locator(`#${id}`).textContent());
/**
 * The invoke form's state once its invocation has settled: `ok` or `error` (a function error). The
 * form failing (the dev server answered something else, or nothing) fails the test with what it says.
 */
async function settledInvocation(): Promise<'ok' | 'error'> {
  const form = page.getByTestId('invoke-form');
  const status = () => page.getByTestId('invoke-status').textContent();
  try {
    await page
      .locator('#invoke-form:is([data-state="ok"], [data-state="error"], [data-state="failed"])')
      .waitFor({ timeout: FLOW_TIMEOUT });
  } catch (error) {
    const function_ = await page.getByTestId('invoke-function').inputValue();
    throw new Error(
      `the invocation of ${function_} did not settle: form ${await form.getAttribute('data-state')}, "${await status()}"; pnpm dev's last output:\n${dev.output().slice(-4000)}`,
      { cause: error },
    );
  }
  const state = await form.getAttribute('data-state');
  if (state === 'failed') throw new Error(`the invoke form failed: ${await status()}`);
  return state as 'ok' | 'error';
}
/** The JSON a result view shows for a result (`renderResult` in dashboard/resultView.js). */
const shownAs = (result: unknown) =>
  typeof result === 'string' ? result : JSON.stringify(result === undefined ? null : result, null, 2);

/** Rows with an empty slot, grid columns with no card, overflowing boxes: see helpers/layoutReport.browser.js. */
const LAYOUT_REPORT = readFileSync(join(import.meta.dirname, 'helpers', 'layoutReport.browser.js'), 'utf8');
const layoutReport = () =>
  page.evaluate(LAYOUT_REPORT) as Promise<{ gaps: string[]; overflowing: string[]; pageOverflow: number }>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'blueprints-dev-'));
  dev = await startDevProcess(['--data-dir', dataDir]);
  config = await api<Config>('/api/config');
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
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('response', (response) => {
    // A failing action answers 500 by design; anything else failing (a missing file, the favicon) is a bug.
    if (response.status() >= 400 && !response.url().includes('/actions/')) failedRequests.push(response.url());
  });
  await page.goto(dev.ready.dashboard);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  // Any other pnpm dev a failed test started and did not stop.
  await stopDevProcessesLeftRunning();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('pnpm dev: the dashboard in a browser', () => {
  it('shows every running service, a card per declared action, and the server as running', async () => {
    // Assess
    await page.locator('[data-testid="server-state"][data-state="live"]').waitFor({ timeout: FLOW_TIMEOUT });
    const summary = await page.getByTestId('summary').textContent();
    expect(summary).toContain(`${config.services.length} service(s): ${config.services.map((s) => s.name).join(', ')}`);
    expect(actionKeys().length).toBeGreaterThan(1);
    for (const key of actionKeys()) expect(await card(key).count()).toBe(1);
    expect(await page.locator('#invoke-function option').count()).toBe(
      config.services.reduce((n, s) => n + s.functions.length, 0),
    );
  });

  it('runs every declared action at once, each card ending with its own outcome', async () => {
    // Act
    for (const key of actionKeys()) await card(key).getByRole('button', { name: 'Run' }).click();
    for (const key of actionKeys()) await settled(key);

    // Assess: each card shows what the server answered that action, not another's
    const outcomes = await api<Record<string, Outcome>>('/api/actions/last-outcomes');
    for (const key of actionKeys()) {
      const outcome = outcomes[key] as Outcome;
      expect(`${key} ${await card(key).getAttribute('data-state')}`).toBe(`${key} ${outcome.outcome}`);
      if (outcome.outcome === 'ok') {
        expect(await card(key).locator('pre.json-block').textContent()).toBe(shownAs(outcome.result));
      } else {
        expect(await card(key).locator('.result').textContent()).toContain(outcome.error.message);
      }
    }
    expect(Object.values(outcomes).some((o) => o.outcome === 'ok')).toBe(true);
    await page.waitForFunction("Number(document.getElementById('invocation-count').textContent) > 0");
  });

  it("keeps a fast action's result while a slower one still runs, then shows each its own", async () => {
    // Prepare: two actions that answered; the first one's answer is held back until the second has shown
    const outcomes = await api<Record<string, Outcome>>('/api/actions/last-outcomes');
    const [slow, fast] = actionKeys().filter((key) => outcomes[key]?.outcome === 'ok') as [string, string];
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const [service, id] = slow.split('/');
    await page.route(`**/api/services/${service}/actions/${id}`, async (route: Route) => {
      const response = await route.fetch();
      await released;
      await route.fulfill({ response });
    });

    // Act
    await card(slow).getByRole('button', { name: 'Run' }).click();
    await card(fast).getByRole('button', { name: 'Run' }).click();
    await settled(fast);
    const fastShown = await card(fast).locator('.result').textContent();
    const slowWhileRunning = await card(slow).getAttribute('data-state');
    release();
    await settled(slow);

    // Assess
    expect(slowWhileRunning).toBe('running');
    expect(await card(fast).locator('.result').textContent()).toBe(fastShown);
    const latest = await api<Record<string, Outcome & { result?: unknown }>>('/api/actions/last-outcomes');
    for (const key of [slow, fast]) {
      expect(await card(key).locator('pre.json-block').textContent()).toBe(shownAs(latest[key]?.result));
    }
    await page.unroute(`**/api/services/${service}/actions/${id}`);
  });

  it('takes no typing or send while a sample event loads, then keeps what is typed', async () => {
    // Prepare: a function with a sample event, whose sample is held back
    const current = await page.getByTestId('invoke-function').inputValue();
    const fn = config.services
      .flatMap((s) => s.functions)
      .filter((f) => f.sampleEvent && f.name !== current)
      .at(-1);
    expect(fn).toBeDefined();
    const samplePath = `**/api/functions/${encodeURIComponent(String(fn?.name))}/sample-event`;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(samplePath, async (route: Route) => {
      const response = await route.fetch();
      await released;
      await route.fulfill({ response });
    });

    // Act
    await page.getByTestId('invoke-function').selectOption(String(fn?.name));
    const whileLoading = {
      editable: await page.getByTestId('invoke-payload').isEditable(),
      sendable: await page.getByTestId('invoke-submit').isEnabled(),
    };
    release();
    await page.getByTestId('invoke-payload').fill('{"typed": true}');

    // Assess: fill waited for the sample; what was typed replaced it, nothing mixed in
    expect(whileLoading).toEqual({ editable: false, sendable: false });
    expect(await page.getByTestId('invoke-payload').inputValue()).toBe('{"typed": true}');
    expect(await page.getByTestId('invoke-submit').isEnabled()).toBe(true);
    await page.unroute(samplePath);
  });

  it('shows a function error with its type, message and stack mapped to the TypeScript sources', async () => {
    // Prepare: a payload no handler here expects
    const functions = config.services.flatMap((s) => s.functions);
    let found = false;

    // Act: the first function that fails on it
    for (const fn of functions) {
      await page.getByTestId('invoke-function').selectOption(fn.name);
      await page.getByTestId('invoke-payload').fill('"not an event any handler expects"');
      await page.getByTestId('invoke-submit').click();
      const state = await settledInvocation();
      if (state === 'error') {
        found = true;
        break;
      }
    }

    // Assess
    expect(found).toBe(true);
    expect(await page.getByTestId('invoke-status').textContent()).toMatch(/^FunctionError: Unhandled · /);
    const trace = String(await page.getByTestId('invoke-trace').textContent());
    expect(trace).toMatch(/services[/\\][\w-]+[/\\]src[/\\][\w/\\.-]+\.ts:\d+:\d+/);
    expect(trace).not.toMatch(/\.[cm]js:\d+/);
  });

  it('refuses a payload that is not JSON without calling the server', async () => {
    // Act
    await page.getByTestId('invoke-payload').fill('{"orderId": ');
    await page.getByTestId('invoke-submit').click();

    // Assess
    expect(await page.getByTestId('invoke-form').getAttribute('data-state')).toBe('failed');
    expect(await page.getByTestId('invoke-status').textContent()).toContain('payload is not JSON');
  });

  it("invokes a function with its sample event from the form and shows the handler's answer and duration", async () => {
    // Prepare
    const withSamples = config.services.flatMap((s) => s.functions).filter((f) => f.sampleEvent);
    expect(withSamples.length).toBeGreaterThan(0);
    const states: string[] = [];

    // Act: the first function whose sample event it answers (some need state the sample does not create)
    for (const fn of withSamples) {
      const sample = await api(`/api/functions/${encodeURIComponent(fn.name)}/sample-event`);
      await page.getByTestId('invoke-function').selectOption(fn.name);
      // The form keeps what was typed per function (the tests above typed some): back to the sample.
      await page.getByRole('button', { name: 'Sample event' }).click();
      await eventually(async () => {
        const value = await page.getByTestId('invoke-payload').inputValue();
        return value.trim() !== '' && JSON.stringify(JSON.parse(value)) === JSON.stringify(sample);
      }, FLOW_TIMEOUT);
      const before = await page.locator(`[data-function="${fn.name}"] li`).count();
      await page.getByTestId('invoke-submit').click();
      const state = await settledInvocation();
      states.push(`${fn.name}: ${state}`);
      // The invocation shows in the feed too, like any other
      await page.locator(`[data-function="${fn.name}"] li`).nth(before).waitFor({ timeout: FLOW_TIMEOUT });
      if (state === 'ok') break;
    }

    // Assess
    expect(states.at(-1)).toMatch(/: ok$/);
    expect(await page.getByTestId('invoke-status').textContent()).toMatch(/^ok · \d+(\.\d)? m?s$/);
    expect(await page.getByTestId('invoke-result').locator('pre.json-block').count()).toBe(1);
  });

  it.each([1280, 1920])(
    'uses the whole width at %i px: no empty column or slot, nothing cut off or overflowing',
    async (width) => {
      // Prepare
      await page.setViewportSize({ width, height: 1000 });
      await page.waitForFunction(`document.documentElement.clientWidth === ${width}`);
      // Two frames: the resize observer has balanced the action rows and the page has laid out again.
      await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');

      // Act
      const report = await layoutReport();
      await page.evaluate('window.scrollTo(0, 0)');
      const shots =
        process.env.UPDATE_SCREENSHOTS === '1'
          ? join(REPO_ROOT, 'docs')
          : join(REPO_ROOT, 'packages', 'dev', 'test-results');
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, `dashboard-${width}.png`), fullPage: true });

      // Assess
      expect(report).toEqual({ gaps: [], overflowing: [], pageOverflow: 0 });
    },
  );

  it('shows every label and field of each bus event in full, wrapped rather than cut', async () => {
    // Prepare
    const activity =
      await api<Array<{ kind: string; id?: string; labels?: Record<string, unknown>; detail?: unknown }>>(
        '/api/activity',
      );
    const events = activity.filter((a) => a.kind === 'bus');
    expect(events.length).toBeGreaterThan(0);

    // Act
    const rows = await page.getByTestId('bus-events').locator('tr').allTextContents();

    // Assess: each short value appears whole in some row (long ones are folded until clicked, tested below)
    const text = rows.join('\n');
    for (const event of events.slice(-20)) {
      const fields = { ...(event.detail as Record<string, unknown>), ...event.labels };
      for (const value of Object.values(fields)) {
        const shown = typeof value === 'string' ? value : JSON.stringify(value);
        if (shown.length <= 240) expect(text).toContain(shown);
      }
    }
  });

  it('unfolds an object value in the events table on a click, indented', async () => {
    // Prepare
    const value = page.getByTestId('bus-events').locator('.json.expandable').first();
    await value.waitFor({ timeout: FLOW_TIMEOUT });
    const before = await value.boundingBox();

    // Act
    await value.click();

    // Assess
    expect(await value.getAttribute('class')).toContain('expanded');
    expect(await value.textContent()).toContain('\n  ');
    expect((await value.boundingBox())?.height).toBeGreaterThan(before?.height ?? 0);
  });

  it('shows the same feeds and each action card its last outcome after a reload', async () => {
    // Prepare
    const before = {
      bus: await count('bus-count'),
      invocations: await count('invocation-count'),
      states: await Promise.all(actionKeys().map((key) => card(key).getAttribute('data-state'))),
    };

    // Act
    await page.reload();
    await page.locator('[data-testid="server-state"][data-state="live"]').waitFor({ timeout: FLOW_TIMEOUT });
    await page.waitForFunction(
      `Number(document.getElementById('invocation-count').textContent) >= ${before.invocations}`,
      undefined,
      { timeout: FLOW_TIMEOUT },
    );
    for (const key of actionKeys()) await settled(key);

    // Assess
    expect(await count('bus-count')).toBeGreaterThanOrEqual(before.bus);
    expect(await Promise.all(actionKeys().map((key) => card(key).getAttribute('data-state')))).toEqual(before.states);
    for (const key of actionKeys()) {
      expect(await card(key).locator('.status').textContent()).toContain('before this page loaded');
    }
    expect(pageErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });

  it('says the server is disconnected once pnpm dev stops, and pnpm dev stops cleanly on Ctrl-C', async () => {
    // Prepare
    const postmasterPid = join(dataDir, 'postgres', 'postmaster.pid');
    const hadPostgres = existsSync(postmasterPid);

    // Act
    const exited = dev.stop();
    await page.locator('[data-testid="server-state"][data-state="disconnected"]').waitFor({ timeout: FLOW_TIMEOUT });
    const code = await exited;

    // Assess
    expect(await page.getByTestId('server-state').textContent()).toContain('disconnected');
    expect(code).toBe(0);
    if (hadPostgres) expect(existsSync(postmasterPid)).toBe(false);
    expect(existsSync(join(dataDir, 'dev.pid'))).toBe(false);
    const urls = [dev.ready.dashboard, ...Object.values(dev.ready.endpoints).filter((v) => typeof v === 'string')];
    for (const url of urls.map(String).filter((u) => u.startsWith('http'))) {
      await expect(fetch(url)).rejects.toThrow();
    }
  }, 120_000);
});
