// Which element a click records, and a click whose toggle the page makes
// itself. Recorded with trusted input and the real extension, replayed by
// `clawtrail replay` and @puppeteer/replay; the end state is what the page
// reports when Send is pressed.
//
// - A launcher tile: the click lands on the tile's decorative <img>; the
//   target must be the tile's <button> (named "Mail"), not an image with
//   no name.
// - A dialog button built from divs: the click lands on its label <div>;
//   the target must be the element with role button.
// - A checkbox whose page takes over the toggle (its click handler calls
//   preventDefault and sets `checked` itself, as "controlled" checkboxes
//   do): no `change` ever fires. A click that only toggles a checkbox used
//   to be dropped in favour of the coming `change`, so "I accept the
//   terms" was not recorded at all; it must be kept when no change follows.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axProbes } from './lib/ax.js';
import { reportScript, reports, withReports } from './lib/reports.js';
import { roundTripSuite } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const suite = roundTripSuite('clawtrail-roundtrip-targets-');
const { recordOn, exportBoth, replay, runDevtools } = suite;
before(suite.setUp);
after(suite.tearDown);

const PIXEL = 'data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==';

const PAGE = `<!doctype html><html><head><title>Launcher</title>
<style>
  .tile { display: inline-flex; flex-direction: column; align-items: center; padding: 8px; }
  .tile img { width: 64px; height: 64px; background: #88c; }
  [role=dialog] { border: 1px solid #999; padding: 12px; margin: 12px 0; width: 240px; }
  [role=button] { display: inline-block; padding: 6px 16px; background: #c33; color: white; cursor: pointer; }
</style></head><body>
<div id="launcher"><button class="tile" type="button" id="mail"><img src="${PIXEL}" alt=""><span>Mail</span></button>
<button class="tile" type="button" id="calendar"><img src="${PIXEL}" alt=""><span>Calendar</span></button></div>
<div role="dialog" aria-label="Delete file"><p>Delete report.pdf?</p>
<div role="button" tabindex="0" id="delete"><div class="label">Delete</div></div></div>
<label id="terms-label"><input type="checkbox" id="terms"> <span>I accept the terms</span></label>
<p><button type="button" id="send">Send</button></p>
<script>${reportScript('tg')}
const state = { opened: [], deleted: 0 };
for (const id of ['mail', 'calendar']) document.getElementById(id).addEventListener('click', () => state.opened.push(id));
document.getElementById('delete').addEventListener('click', () => { state.deleted += 1; });
const terms = document.getElementById('terms');
// The page owns the toggle: the browser's own is cancelled, so no change.
terms.addEventListener('click', (e) => {
  // Inside the click the box already shows its tentative new state,
  // which preventDefault then undoes.
  const next = terms.checked;
  e.preventDefault();
  setTimeout(() => { terms.checked = next; }, 0);
});
document.getElementById('send').addEventListener('click', () =>
  report(JSON.stringify({ ...state, terms: terms.checked })));
</script></body></html>`;

const END = { opened: ['mail'], deleted: 1, terms: true };

describe('click targets: the element meant, and a toggle the page makes itself', () => {
  let server;
  let rec;
  let exported;
  let ax;

  before(async () => {
    server = await serve(withReports({
      '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
      '/launcher': { body: PAGE },
    }));
    rec = await recordOn(server.url('/launcher'), 1, async (page) => {
      ax = axProbes(page);
      await ax.click('#mail img');
      await ax.click('#delete .label');
      await ax.click('#terms-label span');
      // The page's own toggle runs in a task after the click.
      await page.waitForFunction(() => document.getElementById('terms').checked);
      await ax.click('#send');
    });
    exported = await exportBoth(rec, 'targets');
  });
  after(() => server?.close());

  const reported = () => reports(server, 'tg').map((r) => JSON.parse(r));

  test('the targets are the tile button, the role=button div, the label text and Send', () => {
    assert.deepEqual(reported(), [END], 'the recorded session itself');
    const clicks = rec.events.filter((e) => e.kind.type === 'click').map((e) => e.kind.target);
    assert.deepEqual(
      clicks.map((t) => [t.tag, t.id ?? null, t.aria?.role ?? null, t.aria?.name ?? null]),
      [
        ['button', 'mail', 'button', 'Mail'],
        ['div', 'delete', 'button', 'Delete'],
        ['span', null, null, null],
        ['button', 'send', 'button', 'Send'],
      ],
      JSON.stringify(rec.events.map((e) => e.kind.type)),
    );
    // No change fired, so no checkbox event: the click is the record.
    assert.equal(rec.events.filter((e) => e.kind.type === 'checkbox').length, 0);
    // The offset stays inside the chosen element, where the image was.
    const tile = clicks[0];
    assert.ok(tile.bounds.width > 64 && rec.events[rec.events.findIndex((e) => e.kind.type === 'click')].kind.offset.y < 72);
  });

  test('each recorded click target has the role and name Chromium gives it', () => {
    const clicks = rec.events.filter((e) => e.kind.type === 'click').map((e) => e.kind.target);
    const matched = ax.match(clicks);
    assert.deepEqual(matched.map((m) => m.recorded), matched.map((m) => m.browser), JSON.stringify(matched));
  });

  test('clawtrail replay reaches the recorded end state', async () => {
    const seen = reports(server, 'tg').length;
    await replay(rec, 'targets', []);
    assert.deepEqual(reported().slice(seen), [END]);
  });

  test('@puppeteer/replay reaches the recorded end state', async () => {
    const seen = reports(server, 'tg').length;
    await runDevtools(exported.devtools, async () => {});
    await waitFor(() => reports(server, 'tg').length > seen, { what: 'a Send under @puppeteer/replay' });
    assert.deepEqual(reported().slice(seen), [END]);
  });
});
