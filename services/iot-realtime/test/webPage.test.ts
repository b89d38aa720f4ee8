/**
 * The web page in headless Chromium against the local gateway: anonymous mode fetches a presigned
 * URL from the local presign function, connects, subscribes to `<namespace>/news` and shows a
 * broadcast; it shows its connection state and comes back by itself when the gateway drops it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { startWebServer, type WebServer } from '../web/serve.js';
import { signToken } from './helpers/factories.js';
import { type LocalStack, startLocalStack } from './helpers/localStack.js';
import { SERVICE_DIR } from './helpers/packagedService.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT_DIR = join(SERVICE_DIR, 'test-results');
const JWT_SECRET = 'web-page-test-secret-0123456789-abcdef';

let stack: LocalStack;
let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it (apt-get install chromium)`);
  stack = await startLocalStack({ jwtSecret: JWT_SECRET });
  web = await startWebServer({
    presign: async () => (await stack.lambda.invoke('PresignLambdaFunction', { rawPath: '/iot/url' })) as never,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
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
}, 200_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await stack?.close();
});

describe('web/index.html', () => {
  it('connects anonymously and shows a broadcast message live', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1000, height: 1200 } });
    const api = web.url.replace(/\/$/, '');
    await page.goto(`${web.url}?api=${encodeURIComponent(api)}&endpoint=${stack.gateway.host}&scheme=ws`);
    await page.click('#connect-anonymous');
    await page.waitForSelector('#anonymous-status.connected', { timeout: 10_000 });

    // Act: broadcast until the page shows it (its SUBSCRIBE follows CONNACK asynchronously).
    let shown: string | null = null;
    for (let attempt = 0; attempt < 10 && !shown; attempt++) {
      await stack.lambda.invoke('BroadcastLambdaFunction', {
        topic: 'news',
        message: { headline: 'Broadcast from the server', at: '2026-01-01T00:00:00Z' },
      });
      shown = await page
        .waitForSelector('#news li', { timeout: 1000 })
        .then((li) => li?.textContent() ?? null)
        .catch(() => null);
    }

    // Assess
    expect(shown).toContain('Broadcast from the server');
    expect(shown?.startsWith('iot-realtime/dev/news')).toBe(true);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'web-anonymous-broadcast.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('connects with a JWT, sends a reading through Basic Ingest and shows the processed reply', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1000, height: 1300 } });
    const query = new URLSearchParams({
      endpoint: stack.gateway.host,
      authorizer: stack.authorizerName,
      rule: stack.resolver.physicalName('SensorRule'),
      namespace: stack.namespace.topicPrefix,
      scheme: 'ws',
    });
    await page.goto(`${web.url}?${query}`);
    const token = await signToken({ sub: 'carol', exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET);
    await page.fill('#token', token);
    await page.click('#connect-signed-in');
    await page.waitForSelector('#signed-in-status.connected', { timeout: 10_000 });
    await page.fill('#temperature', '26.5');

    // Act
    await page.waitForSelector('#send-reading:not([disabled])');
    await page.click('#send-reading');

    // Assess
    const reply = await page.waitForSelector('#updates li', { timeout: 15_000 });
    const text = (await reply.textContent()) ?? '';
    expect(text.startsWith('iot-realtime/dev/updates/user/carol')).toBe(true);
    expect(text).toContain('"temperatureC": 26.5');
    expect(text).toContain('"comfort": "warm"');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'web-signed-in-reading.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('shows its state, reconnects after the gateway drops it, and receives again', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1000, height: 1200 } });
    const api = web.url.replace(/\/$/, '');
    const before = new Set(stack.gateway.connections().map((c) => c.clientId));
    await page.goto(`${web.url}?api=${encodeURIComponent(api)}&endpoint=${stack.gateway.host}&scheme=ws`);
    await page.click('#connect-anonymous');
    await page.waitForSelector('#anonymous-status.connected', { timeout: 10_000 });
    const pageClient = stack.gateway.connections().find((c) => !before.has(c.clientId))?.clientId ?? '';
    // Every status text the page shows from now on (a string: this project compiles without DOM types).
    await page.evaluate(`(() => {
      const status = document.getElementById('anonymous-status');
      window.statusTexts = [];
      new MutationObserver(() => window.statusTexts.push(status.textContent))
        .observe(status, { childList: true, characterData: true, subtree: true });
    })()`);

    // Act
    const dropped = stack.gateway.dropConnection(pageClient);
    await page.waitForFunction(
      `window.statusTexts.some((t) => t.startsWith('reconnecting')) && window.statusTexts.at(-1) === 'connected'`,
      undefined,
      { timeout: 20_000 },
    );
    let shown: string | null = null;
    for (let attempt = 0; attempt < 10 && !shown; attempt++) {
      await stack.lambda.invoke('BroadcastLambdaFunction', { topic: 'news', message: { headline: 'After the drop' } });
      shown = await page
        .waitForSelector('#news li', { timeout: 1000 })
        .then((li) => li?.textContent() ?? null)
        .catch(() => null);
    }

    // Assess
    const texts = (await page.evaluate('window.statusTexts')) as string[];
    expect(dropped).toBe(true);
    expect(texts.find((t) => t.startsWith('reconnecting'))).toMatch(
      /^reconnecting in \d+\.\d s \(attempt 1\): connection lost$/,
    );
    expect(shown).toContain('After the drop');
    const now = stack.gateway.connections().map((c) => c.clientId);
    expect(now).not.toContain(pageClient);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'web-anonymous-reconnected.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
