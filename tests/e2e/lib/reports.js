// Result reporting for round-trip test pages. A page says what it ended up
// showing by requesting `/report/<kind>/<text>`; the test server logs every
// request path, so the test reads the page's end state from the server (the
// replay runs in a browser the test cannot script). The text rides in the
// path because `serve()` keeps paths only, not query strings or bodies.

const NO_CONTENT = { body: '', status: 204, type: 'text/plain' };

/**
 * Wraps `serve()` routes so any `/report/...` path answers 204: the routes
 * are looked up by exact path, and report paths are not known in advance.
 */
export function withReports(routes) {
  return new Proxy(routes, {
    get(target, key) {
      if (key in target) return target[key];
      return typeof key === 'string' && key.startsWith('/report/') ? NO_CONTENT : undefined;
    },
  });
}

/**
 * Defines `report(text)` for a page. Synchronous XHR on purpose: the
 * replayer closes its browser right after the last step, and a fetch still
 * in flight would be lost. A synchronous request blocks the page's event
 * handler, so the input event that triggered it (and the replayer's next
 * command) completes only after the server has the report.
 */
export const reportScript = (kind) => `function report(text) {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', '/report/${kind}/' + encodeURIComponent(text), false);
    xhr.send();
  }`;

/** Every text the server's pages reported under `kind`, decoded, in order. */
export function reports(server, kind) {
  const prefix = `/report/${kind}/`;
  return server.requests.filter((p) => p.startsWith(prefix)).map((p) => decodeURIComponent(p.slice(prefix.length)));
}
