// Record -> export -> replay on a list where every row has the same
// button, "Archive" three times, and the same clickable text, "Details",
// as in any table of orders, mails or files. The role and name (and the
// text) find all three, so they cannot be what a replayer relies on:
// Playwright's strict mode (OpenClaw) fails on a selector that matches two
// elements, and @puppeteer/replay acts on the first match, the wrong row.
// The recorder measures that the name is shared (`aria_unique: false`;
// `text_unique: false` for the span, which has no role); every replayer
// then finds the element by its unique CSS first. Archiving removes the
// row, so the second click's row has moved up when it is made, as it will
// have in a replay. End state: which rows the page opened and archived, in
// which order.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { reportScript, reports, withReports } from './lib/reports.js';
import { openclawSkip, roundTripSuite } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const suite = roundTripSuite('clawtrail-roundtrip-duplicates-');
const { recordOn, exportBoth, replay, runDevtools, runOpenClaw } = suite;
before(suite.setUp);
after(suite.tearDown);

const PAGE = `<!doctype html><html><head><title>Orders</title></head><body>
<h1>Orders</h1>
<table id="orders">
  <tr data-id="a"><td>Order A</td><td><span class="details">Details</span></td><td><button type="button">Archive</button></td></tr>
  <tr data-id="b"><td>Order B</td><td><span class="details">Details</span></td><td><button type="button">Archive</button></td></tr>
  <tr data-id="c"><td>Order C</td><td><span class="details">Details</span></td><td><button type="button">Archive</button></td></tr>
</table>
<p><button type="button" id="done">Done</button></p>
<script>${reportScript('rows')}
const archived = [];
const opened = [];
document.getElementById('orders').addEventListener('click', (e) => {
  const row = e.target.closest('tr');
  if (!row) return;
  // A clickable span with no role (as many apps have): only its text,
  // "Details" in every row, names it.
  if (e.target.classList.contains('details')) opened.push(row.dataset.id);
  if (e.target.localName !== 'button') return;
  archived.push(row.dataset.id);
  row.remove();
});
document.getElementById('done').addEventListener('click', () => {
  const left = [...document.querySelectorAll('#orders tr')].map((r) => r.dataset.id);
  report(JSON.stringify({ opened, archived, left }));
});
</script></body></html>`;

const EXPECTED = { opened: ['c'], archived: ['b', 'c'], left: ['a'] };

describe('a list with the same button in every row', () => {
  let server;
  let rec;
  let exported;

  before(async () => {
    server = await serve(withReports({
      '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
      '/orders': { body: PAGE },
    }));
    rec = await recordOn(server.url('/orders'), 1, async (page) => {
      await page.click('tr[data-id="c"] .details');
      await page.click('tr[data-id="b"] button');
      await page.waitForFunction(() => !document.querySelector('tr[data-id="b"]'));
      await page.click('tr[data-id="c"] button');
      await page.waitForFunction(() => !document.querySelector('tr[data-id="c"]'));
      await page.click('#done');
    });
    exported = await exportBoth(rec, 'duplicates');
  });
  after(() => server?.close());

  const reported = () => reports(server, 'rows').map((r) => JSON.parse(r));

  test('the recording says the Details texts and the Archive buttons are shared, and Done is not', () => {
    assert.deepEqual(reported(), [EXPECTED], 'the recorded session itself');
    const clicks = rec.events.filter((e) => e.kind.type === 'click').map((e) => e.kind.target);
    assert.deepEqual(
      clicks.map((t) => [t.aria?.name ?? t.text, t.aria_unique ?? null, t.text_unique ?? null, t.css_unique]),
      [
        ['Details', null, false, true],
        ['Archive', false, null, true],
        ['Archive', false, null, true],
        ['Done', true, null, true],
      ],
      JSON.stringify(clicks.map((t) => t.css)),
    );
  });

  test('the exports do not rely on the shared name', async () => {
    // The plan's one selector per action: CSS for the look-alikes.
    const [skill] = (await fs.readdir(exported.dir, { withFileTypes: true })).filter((d) => d.isDirectory());
    const refs = path.join(exported.dir, skill.name, 'references');
    const plans = await Promise.all((await fs.readdir(refs)).filter((f) => /^plan-\d+\.json$/.test(f)).sort()
      .map(async (f) => JSON.parse(await fs.readFile(path.join(refs, f), 'utf8'))));
    const clicks = plans.flat().filter((a) => a.kind === 'click').map((a) => a.selector);
    assert.equal(clicks.length, 4, JSON.stringify(plans));
    assert.ok(clicks.slice(0, 3).every((s) => s.startsWith('css=')), JSON.stringify(clicks));
    assert.match(clicks[3], /^internal:role=button\[name=/);
    const devtools = exported.devtools.steps.filter((s) => s.type === 'click');
    assert.equal(devtools.length, 4, JSON.stringify(exported.devtools.steps));
    for (const step of devtools.slice(0, 3)) {
      const flat = step.selectors.flat();
      assert.ok(!flat.some((s) => s.startsWith('aria/') || s.startsWith('text/')), JSON.stringify(flat));
    }
    assert.ok(devtools[3].selectors.flat().some((s) => s.startsWith('aria/Done')), 'a unique name is still used');
    assert.match(exported.skillMd, /\(not unique on the recorded page\)/);
  });

  test('clawtrail replay archives the same rows, finding each button by its unique CSS', async () => {
    const seen = reports(server, 'rows').length;
    const { json } = await replay(rec, 'duplicates', []);
    assert.deepEqual(json.steps.map((s) => [s.status, s.used?.kind]), [
      ['ok', 'css'], ['ok', 'css'], ['ok', 'css'], ['ok', 'aria'],
    ]);
    assert.deepEqual(reported().slice(seen), [EXPECTED]);
  });

  test('@puppeteer/replay archives the same rows', async () => {
    const seen = reports(server, 'rows').length;
    await runDevtools(exported.devtools, async () => {});
    await waitFor(() => reports(server, 'rows').length > seen, { what: 'Done under @puppeteer/replay' });
    assert.deepEqual(reported().slice(seen), [EXPECTED]);
  });

  test('a real OpenClaw gateway archives the same rows', { skip: openclawSkip() }, async () => {
    const seen = reports(server, 'rows').length;
    await runOpenClaw(exported);
    await waitFor(() => reports(server, 'rows').length > seen, { what: 'Done under OpenClaw' });
    assert.deepEqual(reported().slice(seen), [EXPECTED]);
  });
});
