// Record -> export -> replay of the navigations people really make: a link,
// a form, a URL typed into the address bar after a click that navigated
// nowhere, a target=_blank link into a new tab, the Back button and the
// Reload button. The
// recording is made with trusted input in Debian Chromium with the real
// extension; `clawtrail replay` and @puppeteer/replay must both reach the
// end state, which the pages report to the test server (lib/reports.js)
// and which depends on the typed value.
//
// What this guards: a typed URL must become a step of its own (it used to
// be attached to the click before it, so no replayer went there), and the
// click that opened a tab must come before that tab's events although it
// reaches the worker later (the recorder holds a click for the
// double-click interval).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { reportScript, reports, withReports } from './lib/reports.js';
import { openclawSkip, roundTripSuite } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const page = (title, body, script = '') => ({
  body: `<!doctype html><html><head><title>${title}</title></head><body>${body}
<script>${reportScript('nav')}
${script}</script></body></html>`,
});

const routes = {
  '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
  '/a': page('Start', '<h1>Start</h1><a id="to-b" href="/b">Search page</a>'),
  // The query travels in sessionStorage, not the URL: the replayer checks
  // URLs exactly, and a new value must still land on the recorded URL.
  '/b': page(
    'Search',
    '<form id="f"><label for="q">Query</label> <input id="q" name="q"> <button id="go">Search</button></form>',
    `document.getElementById('f').addEventListener('submit', (e) => {
       e.preventDefault();
       sessionStorage.setItem('q', document.getElementById('q').value);
       location.href = '/c';
     });`,
  ),
  '/c': page(
    'Results',
    '<h1 id="r"></h1><button id="details" type="button">Show details</button><p id="more" hidden>Details</p>' +
      '<button id="mark" type="button">Mark results</button>',
    `document.getElementById('r').textContent = 'Results for ' + sessionStorage.getItem('q');
     document.getElementById('details').addEventListener('click', () => { document.getElementById('more').hidden = false; });
     // How this document was loaded: a reload says 'reload', a new load of
     // the URL says 'navigate'.
     const how = () => performance.getEntriesByType('navigation')[0].type;
     document.getElementById('mark').addEventListener('click', () => report('marked:' + sessionStorage.getItem('q') + ':' + how()));`,
  ),
  '/d': page('Elsewhere', '<h1>Typed</h1><a id="open" href="/e" target="_blank">Open details</a>'),
  '/e': page(
    'Details',
    '<button id="finish" type="button">Finish</button>',
    `document.getElementById('finish').addEventListener('click', () => report('finished'));`,
  ),
};

let server;
let rec;
let exported;
const suite = roundTripSuite('clawtrail-roundtrip-nav-');
const { ctx, recordOn, exportBoth, replay, runDevtools, runOpenClaw } = suite;

before(async () => {
  await suite.setUp();
  server = await serve(withReports(routes));
  rec = await recordOn(server.url('/a'), 1, async (tab) => {
    await Promise.all([tab.waitForNavigation(), tab.click('#to-b')]);
    await tab.click('#q');
    await tab.keyboard.type('alpha');
    await Promise.all([tab.waitForNavigation(), tab.click('#go')]);
    await tab.click('#details');
    // Read the page, then type a URL into the address bar: page.goto is a
    // browser-initiated navigation, as typing is (no referrer).
    await new Promise((r) => setTimeout(r, 3_500));
    await tab.goto(server.url('/d'));
    const opened = new Promise((resolve) => ctx.chrome.browser.once('targetcreated', resolve));
    await tab.click('#open');
    const second = await (await opened).page();
    await waitFor(() => second.evaluate(() => document.readyState === 'complete' && !!document.getElementById('finish')), {
      what: 'the new tab',
    });
    await second.bringToFront();
    await second.click('#finish');
    await tab.bringToFront();
    await tab.goBack();
    await waitFor(() => tab.evaluate(() => !!document.getElementById('mark')), { what: 'the results page again' });
    // The Reload button: a browser-initiated load of the same URL.
    await new Promise((r) => setTimeout(r, 500));
    await tab.reload();
    await waitFor(() => tab.evaluate(() => !!document.getElementById('mark')), { what: 'the reloaded results page' });
    await tab.click('#mark');
    await second.close();
  });
  exported = await exportBoth(rec, 'navigation');
});

after(async () => {
  await suite.tearDown();
  await server?.close();
});

const kinds = (r) => r.events.map((e) => (e.kind.type === 'navigate' ? `navigate:${e.kind.cause}:${new URL(e.url).pathname}` : e.kind.type));

test('the recording is in the order the user acted', () => {
  assert.deepEqual(reports(server, 'nav'), ['finished', 'marked:alpha:reload'], 'the recorded session itself');
  const k = kinds(rec);
  const at = (label) => {
    const i = k.indexOf(label);
    assert.ok(i >= 0, `${label} in ${k.join(', ')}`);
    return i;
  };
  // The click on the _blank link comes before the tab it opened.
  const clicks = rec.events.map((e, i) => [e, i]).filter(([e]) => e.kind.type === 'click');
  const openClick = clicks.find(([e]) => e.kind.target.css === '#open' || e.kind.target.text === 'Open details');
  assert.ok(openClick, 'the click on the _blank link was recorded');
  assert.ok(openClick[1] < at('tab_opened'), `click before tab_opened: ${k.join(', ')}`);
  assert.ok(openClick[1] < at('navigate:load:/e'), 'click before the new tab loads');
  // The typed URL has no referrer; the link and the form loads do.
  const load = (p) => rec.events.find((e) => e.kind.type === 'navigate' && new URL(e.url).pathname === p);
  assert.equal(load('/d').kind.from_url, null, 'a typed URL has no referrer');
  assert.equal(load('/b').kind.from_url, server.url('/a'));
  // Back to /c.
  assert.ok(at('navigate:back_forward:/c') > at('navigate:load:/e'), k.join(', '));
  // Then Reload.
  assert.ok(at('navigate:reload:/c') > at('navigate:back_forward:/c'), k.join(', '));
  // Seqs are gapless in that order.
  assert.deepEqual(rec.events.map((e) => e.seq), rec.events.map((_, i) => i));
});

test('the typed URL is a step of its own in both exports', () => {
  assert.match(exported.skillMd, new RegExp(`open \`${server.url('/d').replaceAll('.', '\\.')}\` in tab 1`));
  assert.match(exported.skillMd, /switch to the new tab \(tab 2\) that step \d+ opened/);
  // Back is the Back button, not a new load of the URL.
  assert.match(exported.skillMd, new RegExp(`go back in tab 1 \\(the browser's Back button\\) to \`${server.url('/c').replaceAll('.', '\\.')}\``));
  // Reload is the Reload button too.
  assert.match(exported.skillMd, /reload tab 1 \(the browser's Reload button\)/);
  const navigates = exported.devtools.steps.filter((s) => s.type === 'navigate').map((s) => new URL(s.url).pathname);
  assert.ok(navigates.includes('/d'), `navigate steps: ${navigates.join(', ')}`);
  // The click on "Show details" navigated nowhere and waits for nothing.
  const details = exported.devtools.steps.find((s) => s.type === 'click' && JSON.stringify(s.selectors).includes('details'));
  assert.ok(details, 'the details click is in the flow');
  assert.equal(details.assertedEvents, undefined, JSON.stringify(details));
});

test('clawtrail replay reaches the end state with a new query', async () => {
  const seen = reports(server, 'nav').length;
  const { json } = await replay(rec, 'navigation', ['query=beta']);
  assert.deepEqual(reports(server, 'nav').slice(seen), ['finished', 'marked:beta:reload']);
  assert.equal(json.final_check.actual_url, server.url('/c'));
});

test('@puppeteer/replay reaches the same end state', async () => {
  const seen = reports(server, 'nav').length;
  await runDevtools(exported.devtools, async () => {});
  // The DevTools Recorder format has no reload step: like the Recorder
  // itself, the flow loads the URL again ('navigate').
  assert.deepEqual(reports(server, 'nav').slice(seen), ['finished', 'marked:alpha:navigate']);
});

test('a real OpenClaw gateway reaches the same end state with a new query', { skip: openclawSkip() }, async () => {
  const seen = reports(server, 'nav').length;
  await runOpenClaw(exported, { query: 'gamma' });
  // The agent reloads with the page's own location.reload(): a reload.
  assert.deepEqual(reports(server, 'nav').slice(seen), ['finished', 'marked:gamma:reload']);
});
