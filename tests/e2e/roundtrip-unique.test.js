// Record -> export -> replay on a plan picker: the clickable tile "Pro" (a
// <div> with no role, found by its text) sits in the form below the
// heading "Pro plan". Playwright's whole-text `text=` finds the tile alone
// (`text_unique: true`), but Puppeteer's `text/Pro` yields the innermost
// elements that *contain* "Pro", and the heading comes first in the
// document. @puppeteer/replay races every selector of a step, so a flow
// with `text/Pro` in it clicked the heading (at the offset recorded on the
// tile) and no plan was chosen. The recorder now measures the text under
// Puppeteer's rule (`text_contains_unique: false`) and the DevTools flow
// leaves it out; every replayer chooses Pro. End state: the plan chosen and
// how many clicks landed on the heading.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reportScript, reports, withReports } from './lib/reports.js';
import { openclawSkip, roundTripSuite } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const suite = roundTripSuite('clawtrail-roundtrip-unique-');
const { recordOn, exportBoth, replay, runDevtools, runOpenClaw } = suite;
before(suite.setUp);
after(suite.tearDown);

const PAGE = `<!doctype html><html><head><title>Plans</title>
<style>
  .plan { display: inline-block; width: 160px; padding: 16px; margin: 8px; border: 1px solid #888; cursor: pointer; }
  .plan.chosen { border-color: #06c; }
</style></head><body>
<h1>Choose a plan</h1>
<section><h2 id="headline">Pro plan</h2><p>Everything in the basic one, and more.</p></section>
<form id="signup">
  <p><label>Name <input id="name" name="name"></label></p>
  <div class="plans"><div class="plan" data-plan="basic">Basic</div><div class="plan" data-plan="pro">Pro</div></div>
  <p><button type="button" id="done">Done</button></p>
</form>
<script>${reportScript('plan')}
let chosen = null;
let heading = 0;
for (const tile of document.querySelectorAll('.plan')) {
  tile.addEventListener('click', () => {
    chosen = tile.dataset.plan;
    for (const t of document.querySelectorAll('.plan')) t.classList.toggle('chosen', t === tile);
  });
}
document.getElementById('headline').addEventListener('click', () => { heading += 1; });
document.getElementById('done').addEventListener('click', () => {
  report(JSON.stringify({ plan: chosen, heading }));
});
</script></body></html>`;

const EXPECTED = { plan: 'pro', heading: 0 };

describe('a text that another element contains', () => {
  let server;
  let rec;
  let exported;

  before(async () => {
    server = await serve(withReports({
      '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
      '/plans': { body: PAGE },
    }));
    rec = await recordOn(server.url('/plans'), 1, async (page) => {
      await page.click('[data-plan="pro"]');
      await page.click('#done');
    });
    exported = await exportBoth(rec, 'unique');
  });
  after(() => server?.close());

  const reported = () => reports(server, 'plan').map((r) => JSON.parse(r));

  test('the recording says Puppeteer finds the text "Pro" elsewhere, Playwright does not', () => {
    assert.deepEqual(reported(), [EXPECTED], 'the recorded session itself');
    const clicks = rec.events.filter((e) => e.kind.type === 'click').map((e) => e.kind.target);
    assert.equal(clicks.length, 2, JSON.stringify(clicks));
    const [tile, done] = clicks;
    assert.equal(tile.text, 'Pro');
    assert.equal(tile.aria ?? null, null);
    assert.equal(tile.text_unique, true, 'no other element has "Pro" as its whole text');
    assert.equal(tile.text_contains_unique, false, 'the heading "Pro plan" contains it');
    assert.equal(tile.css_unique, true);
    assert.equal(tile.css_pierce_unique, true);
    assert.equal(done.aria?.name, 'Done');
    assert.equal(done.text_contains_unique, true);
  });

  test('the DevTools flow races no `text/Pro`; the plan keeps its whole-text selector', () => {
    const clicks = exported.devtools.steps.filter((s) => s.type === 'click');
    assert.equal(clicks.length, 2, JSON.stringify(exported.devtools.steps));
    const tile = clicks[0].selectors.flat();
    assert.ok(!tile.some((s) => s.startsWith('text/')), JSON.stringify(tile));
    assert.ok(tile.length > 0);
    assert.ok(clicks[1].selectors.flat().some((s) => s.startsWith('aria/Done')), JSON.stringify(clicks[1]));
    assert.match(exported.skillMd, /text=\/\^\\s\*Pro\\s\*\$\/i/);
  });

  test('@puppeteer/replay chooses Pro', async () => {
    const seen = reports(server, 'plan').length;
    await runDevtools(exported.devtools, async () => {});
    await waitFor(() => reports(server, 'plan').length > seen, { what: 'Done under @puppeteer/replay' });
    assert.deepEqual(reported().slice(seen), [EXPECTED]);
  });

  test('clawtrail replay chooses Pro', async () => {
    const seen = reports(server, 'plan').length;
    await replay(rec, 'unique', []);
    assert.deepEqual(reported().slice(seen), [EXPECTED]);
  });

  test('a real OpenClaw gateway chooses Pro', { skip: openclawSkip() }, async () => {
    const seen = reports(server, 'plan').length;
    await runOpenClaw(exported);
    await waitFor(() => reports(server, 'plan').length > seen, { what: 'Done under OpenClaw' });
    assert.deepEqual(reported().slice(seen), [EXPECTED]);
  });
});
