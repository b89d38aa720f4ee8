import type { IncomingMessage } from 'node:http';

/** Methods a browser may send cross-site without asking (no preflight) and that change nothing here. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a request to the dashboard is refused, or `undefined` when it may go through.
 *
 * - `Host` must name the dashboard itself (`127.0.0.1:<port>` or `localhost:<port>`): a page on
 *   another site whose DNS name is re-pointed at 127.0.0.1 (DNS rebinding) reaches the server as
 *   same-origin for the browser, but its requests still carry the attacker's host name.
 * - A request carrying an `Origin` must come from the dashboard's own origin, whatever the method.
 * - A state-changing request (POST, …) must prove it comes from the dashboard page: an `Origin`
 *   matching it, or, from a browser that leaves `Origin` out, `Sec-Fetch-Site: same-origin`. A plain
 *   HTML form or `fetch(…, { mode: 'no-cors' })` on another site can POST without a preflight, so
 *   CORS alone does not stop it.
 *
 * @example
 * const refusal = sameOriginRefusal(req, 4000);
 * if (refusal) return send(res, 403, { error: { name: 'CrossOriginRequestRefused', message: refusal } });
 */
export function sameOriginRefusal(req: IncomingMessage, port: number): string | undefined {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const origins = hosts.map((host) => `http://${host}`);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.includes(host)) {
    return `Host "${req.headers.host ?? ''}" is not this dashboard: open it as ${origins.join(' or ')}`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !origins.includes(origin.toLowerCase())) {
    return `requests from origin "${origin}" are refused: only the dashboard page (${origins.join(' or ')}) may call this API`;
  }
  if (SAFE_METHODS.has(req.method ?? 'GET') || origin !== undefined) return undefined;
  if (req.headers['sec-fetch-site'] === 'same-origin') return undefined;
  return `${req.method} needs an Origin header (or Sec-Fetch-Site: same-origin) naming this dashboard (${origins.join(' or ')})`;
}
