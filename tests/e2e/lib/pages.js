// Test pages shared by the e2e tests.

import { STRICT_CSP } from './server.js';

const strict = { 'content-security-policy': STRICT_CSP };

/**
 * Strict-CSP pages with buttons and an iframe each:
 * - `/strict` sends exactly STRICT_CSP; its frame is a `srcdoc` frame, the
 *   only kind `default-src 'none'` lets through, and it inherits the policy.
 * - `/strict-framed` adds `frame-src 'self'` so it can embed `/frame`, a
 *   separate document served with exactly STRICT_CSP.
 */
export function strictPages() {
  const top = (iframe) => `<!doctype html><html><head><title>strict</title>
<script src="/probe.js"></script></head>
<body>
<button id="go">Go</button>
<button id="other">Other</button>
${iframe}
</body></html>`;
  return {
    '/favicon.ico': { body: '', type: 'image/x-icon', status: 204 },
    '/strict': {
      headers: strict,
      body: top(`<iframe id="child" width="300" height="120"
  srcdoc="<button id=inner>Inner</button>"></iframe>`),
    },
    '/strict-framed': {
      headers: { 'content-security-policy': `${STRICT_CSP}; frame-src 'self'` },
      body: top('<iframe id="child" src="/frame" width="300" height="120"></iframe>'),
    },
    '/frame': {
      headers: strict,
      body: `<!doctype html><html><head><script src="/probe.js"></script></head>
<body><button id="inner">Inner</button></body></html>`,
    },
    // Allowed by script-src 'self'. Records CSP violations reported to the
    // page, in the main world, from the moment it runs.
    '/probe.js': {
      type: 'text/javascript',
      headers: strict,
      body: `window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));`,
    },
    '/plain': {
      body: `<!doctype html><html><head><title>plain</title></head>
<body><button id="go">Go</button></body></html>`,
    },
  };
}

/**
 * Collects what the browser reports about a page from every world (the
 * content script's isolated world included): exceptions and log entries.
 */
export async function watchPage(page) {
  const cdp = await page.createCDPSession();
  const problems = [];
  cdp.on('Runtime.exceptionThrown', (e) =>
    problems.push(`exception: ${e.exceptionDetails.exception?.description ?? e.exceptionDetails.text}`));
  cdp.on('Log.entryAdded', ({ entry }) => {
    if (entry.level === 'error' || entry.source === 'security' || entry.source === 'violation') {
      problems.push(`log ${entry.source}/${entry.level}: ${entry.text}`);
    }
  });
  cdp.on('Runtime.consoleAPICalled', (e) => {
    if (e.type === 'error') problems.push(`console.error: ${e.args.map((a) => a.value).join(' ')}`);
  });
  await cdp.send('Runtime.enable');
  await cdp.send('Log.enable');
  return { problems, detach: () => cdp.detach().catch(() => {}) };
}
