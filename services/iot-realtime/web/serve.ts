// Serves web/ and the mqtt.js browser build (from node_modules) on 127.0.0.1.
//   pnpm web [--port 8080]            then open http://127.0.0.1:8080/?api=...&endpoint=...  (the WebPageQuery output)
// Tests pass `presign` to also answer GET /iot/url from the local presign function.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = dirname(fileURLToPath(import.meta.url));
const MQTT_BROWSER_BUILD = join(
  dirname(createRequire(import.meta.url).resolve('mqtt/package.json')),
  'dist',
  'mqtt.esm.js',
);
const FILES: Record<string, [file: string, type: string]> = {
  '/': [join(WEB_DIR, 'index.html'), 'text/html; charset=utf-8'],
  '/index.html': [join(WEB_DIR, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(WEB_DIR, 'app.js'), 'text/javascript; charset=utf-8'],
  '/realtimeClient.js': [join(WEB_DIR, 'realtimeClient.js'), 'text/javascript; charset=utf-8'],
  '/style.css': [join(WEB_DIR, 'style.css'), 'text/css; charset=utf-8'],
  '/vendor/mqtt.esm.js': [MQTT_BROWSER_BUILD, 'text/javascript; charset=utf-8'],
};

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

type PresignResponse = { statusCode?: number; headers?: Record<string, unknown>; body?: string };

/**
 * Starts the page's static server.
 *
 * @example
 * const web = await startWebServer({ port: 0 });
 * console.log(web.url); // http://127.0.0.1:PORT/
 */
export async function startWebServer(
  options: { port?: number; presign?: () => Promise<PresignResponse> } = {},
): Promise<WebServer> {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    try {
      if (path === '/iot/url' && options.presign) {
        const response = await options.presign();
        res.writeHead(response.statusCode ?? 200, response.headers as Record<string, string>);
        res.end(response.body ?? '');
        return;
      }
      const entry = FILES[path];
      if (!entry || req.method !== 'GET') {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': entry[1], 'cache-control': 'no-store' });
      res.end(await readFile(entry[0]));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--port');
  const web = await startWebServer({ port: i > 0 ? Number(process.argv[i + 1]) : 8080 });
  console.log(`iot-realtime web page: ${web.url}`);
}
