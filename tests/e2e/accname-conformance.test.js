// Recorded roles and names against Chromium's own accessibility tree.
//
// The conformance page (lib/accname-page.js) has one element per rule that
// names an element: labels wrapping inputs and selects, aria-labelledby
// with several ids and with hidden targets, aria-label, title, alt, the
// value of input buttons, fieldset/legend, icons with visually hidden
// text, select multiple, role overrides, open shadow roots with slots,
// custom elements with ElementInternals roles. A person's input (trusted
// clicks and keys) records each one with the real extension; then every
// recorded target's role and name is compared with what Chromium's
// accessibility tree (CDP, through puppeteer's accessibility snapshot)
// says of the same element. Any disagreement fails the test: the browser
// is right by definition.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCNAME_PAGE } from './lib/accname-page.js';
import { browserSays, recordedSays } from './lib/ax.js';
import { launch } from './lib/browser.js';
import { contentEvents, openPage, startRecording } from './lib/capture.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

let chrome;
let server;
before(async () => {
  server = await serve({
    '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
    '/cases': { body: ACCNAME_PAGE },
  });
  chrome = await launch();
  await startRecording(chrome);
});
after(async () => {
  await chrome?.close();
  await server?.close();
});

const recorded = recordedSays;

test('every recorded role and name is the one Chromium computes', async () => {
  const { page, tabId } = await openPage(chrome, server.url('/cases'));
  await page.waitForFunction(() => customElements.get('x-switch') && customElements.get('x-card'));
  // pierce/ reaches into the open shadow roots.
  const handles = await page.$$('pierce/[data-case]');
  const cases = [];
  for (const handle of handles) {
    const [id, tag, multiple] = await handle.evaluate((e) => [e.id, e.localName, e.multiple || e.size > 1]);
    cases.push({ id, tag, multiple, handle, browser: await browserSays(page, handle) });
  }
  assert.ok(cases.length >= 55, `${cases.length} cases`);

  // A person's input on each: a click, except on a native select, whose
  // choice is recorded (its click is not): an option clicked in a list
  // box, a key press in a drop-down.
  for (const c of cases) {
    if (c.tag === 'select' && c.multiple) {
      const option = await c.handle.$('option');
      await option.click();
    } else if (c.tag === 'select') {
      await c.handle.focus();
      await page.keyboard.press('ArrowDown');
    } else {
      await c.handle.click().catch((e) => { throw new Error(`#${c.id}: ${e.message}`); });
    }
  }

  // Every case should get an event whose target is that element; one that
  // never does was recorded as another element (a disagreement too).
  const found = async () => {
    const map = new Map();
    for (const e of await contentEvents(chrome, tabId)) {
      const t = e.kind.target;
      if (t?.id && !map.has(t.id)) map.set(t.id, t);
    }
    return map;
  };
  const byId = await waitFor(async () => {
    const map = await found();
    return cases.every((c) => map.has(c.id)) ? map : null;
  }, { what: 'an event for every case', timeout: 15_000 }).catch(found);

  const disagreements = [];
  for (const c of cases) {
    if (!byId.has(c.id)) {
      disagreements.push(`#${c.id}: no recorded event targets it (another element was recorded)`);
      continue;
    }
    const ours = recorded(byId.get(c.id));
    if (ours[0] !== c.browser[0] || ours[1] !== c.browser[1]) {
      disagreements.push(`#${c.id}: recorded ${JSON.stringify(ours)}, Chromium ${JSON.stringify(c.browser)}`);
    }
  }
  assert.deepEqual(disagreements, [], `${disagreements.length} of ${cases.length} cases disagree`);
});

test('the main-world helper is there, yet attachInternals looks native and works', async () => {
  const { page } = await openPage(chrome, server.url('/cases?probe'));
  try {
    const seen = await page.evaluate(() => {
      customElements.define('x-probe', class extends HTMLElement {
        constructor() { super(); this.i = this.attachInternals(); this.i.role = 'button'; }
      });
      const el = document.createElement('x-probe');
      document.body.append(el);
      // What the recorder asks, answered by extension/src/internals.js.
      let reply = null;
      el.addEventListener('clawtrail-internals-reply', (e) => { reply = e.detail; });
      el.dispatchEvent(new Event('clawtrail-internals'));
      return {
        native: Function.prototype.toString.call(HTMLElement.prototype.attachInternals).includes('[native code]'),
        name: HTMLElement.prototype.attachInternals.name,
        length: HTMLElement.prototype.attachInternals.length,
        role: el.i.role,
        isInternals: el.i instanceof ElementInternals,
        reply,
      };
    });
    assert.deepEqual(seen, {
      native: true, name: 'attachInternals', length: 0, role: 'button', isInternals: true, reply: '["button",null]',
    });
  } finally {
    await page.close();
  }
});
