// A tiny HTTP server for test pages, on 127.0.0.1 and an ephemeral port.
// Each route sets its own headers, so a test can serve a page under a
// strict Content-Security-Policy next to one without.

import http from 'node:http';
import net from 'node:net';

/**
 * @param {Record<string, {body: string, type?: string, headers?: Record<string,string>, status?: number}>} routes
 *   keyed by path (without query string).
 */
export async function serve(routes) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    requests.push(path);
    const route = routes[path];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(route.status ?? 200, {
      'content-type': route.type ?? 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...route.headers,
    });
    res.end(route.body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    requests,
    url: (path) => `${origin}${path}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The policy the e2e tests use for "a strict page". */
export const STRICT_CSP = "default-src 'none'; script-src 'self'";

/** A loopback port free right now, for servers the tests start as processes. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
