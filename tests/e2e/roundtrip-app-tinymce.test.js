// Record -> export -> replay on TinyMCE from npm (self-hosted, GPL
// licence key), a rich-text editor we did not write, in its classic mode:
// the document is edited in the body of an iframe, the toolbar is in the
// page. Recorded with trusted input in Chromium with the real extension:
// click into the body, type a sentence, double-click a word, press Bold,
// press the page's Save button. Replayed with a NEW sentence by
// `clawtrail replay` and with the recorded one by @puppeteer/replay. The
// end state is what TinyMCE's own model serialises
// (`activeEditor.getContent()`), reported to the test server by Save.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { onlyInput } from './lib/apps.js';
import { axProbes } from './lib/ax.js';
import { REPO_ROOT } from './lib/browser.js';
import { reportScript, reports, withReports } from './lib/reports.js';
import { openclawSkip, roundTripSuite } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { withStatic } from './lib/static.js';
import { waitFor } from './lib/wait.js';

const suite = roundTripSuite('clawtrail-roundtrip-tinymce-');
const { recordOn, exportBoth, replay, runDevtools, runOpenClaw } = suite;
before(suite.setUp);
after(suite.tearDown);

const PAGE = `<!doctype html><html><head><title>Article editor</title>
<script src="/tinymce/tinymce.min.js"></script></head><body>
<h1>Article</h1><textarea id="article"></textarea><button id="save" type="button">Save</button>
<script>${reportScript('mce')}
tinymce.init({
  selector: '#article', license_key: 'gpl', menubar: false, toolbar: 'bold italic',
  promotion: false, branding: false, statusbar: false, height: 300,
});
document.getElementById('save').addEventListener('click', () => report(tinymce.activeEditor.getContent()));
</script></body></html>`;

/** Where `word` is shown inside the editor's first paragraph, in page coordinates. */
async function wordCentre(page, word) {
  const iframe = await page.$('iframe.tox-edit-area__iframe');
  const frameBox = await iframe.boundingBox();
  const inFrame = await (await iframe.contentFrame()).evaluate((w) => {
    const text = document.querySelector('#tinymce p').firstChild;
    const range = document.createRange();
    range.setStart(text, text.data.indexOf(w));
    range.setEnd(text, text.data.indexOf(w) + w.length);
    const r = range.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  }, word);
  return { x: frameBox.x + inFrame.x, y: frameBox.y + inFrame.y };
}

describe('TinyMCE (classic mode, editing in an iframe)', () => {
  let server;
  let rec;
  let ax;
  let exported;

  before(async () => {
    server = await serve(withStatic(withReports({
      '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
      '/article': { body: PAGE },
    }), '/tinymce/', path.join(REPO_ROOT, 'node_modules/tinymce')));
    // Two content scripts: the page and TinyMCE's editing iframe.
    rec = await recordOn(server.url('/article'), 2, async (page) => {
      ax = axProbes(page);
      const frame = await (await page.waitForSelector('iframe.tox-edit-area__iframe')).contentFrame();
      await (await frame.waitForSelector('body#tinymce')).click();
      await page.keyboard.type('Ship the release today');
      const at = await wordCentre(page, 'release');
      await page.mouse.click(at.x, at.y, { count: 2 });
      await ax.click('button[aria-label="Bold"]');
      await ax.click('#save');
    });
    exported = await exportBoth(rec, 'tinymce');
  });
  after(() => server?.close());

  test('the recording holds the text typed in the iframe and the double click', () => {
    assert.deepEqual(reports(server, 'mce'), ['<p>Ship the <strong>release</strong> today</p>'], 'the recorded session itself');
    const edits = rec.events.filter((e) => e.kind.type === 'content_edit');
    assert.ok(edits.length >= 1, JSON.stringify(rec.events.map((e) => e.kind.type)));
    assert.deepEqual(edits.at(-1).frame_path, [0], 'typed inside the editing iframe');
    assert.equal(edits.at(-1).kind.text.text.trim(), 'Ship the release today');
    const double = rec.events.filter((e) => e.kind.type === 'double_click');
    assert.equal(double.length, 1, JSON.stringify(rec.events.map((e) => e.kind.type)));
    assert.deepEqual(double[0].frame_path, [0]);
    assert.ok(
      rec.events.some((e) => e.kind.type === 'click' && e.kind.target.aria?.name === 'Bold' && e.frame_path.length === 0),
      'the Bold button, in the page',
    );
  });

  test('every recorded click target has the role and name Chromium gives it', () => {
    // The clicks in the page (the probes are taken there).
    const clicks = rec.events.filter((e) => e.kind.type === 'click' && e.frame_path.length === 0)
      .map((e) => e.kind.target);
    const matched = ax.match(clicks);
    assert.deepEqual(matched.map((m) => m.recorded), matched.map((m) => m.browser), JSON.stringify(matched));
    assert.deepEqual(matched.map((m) => m.browser), [['button', 'Bold'], ['button', 'Save']], JSON.stringify(matched));
  });

  test('clawtrail replay types a new sentence and bolds the word under the double click', async () => {
    const seen = reports(server, 'mce').length;
    // The word at the recorded place is now "package": the double click
    // selects what is there, and Bold applies to it in TinyMCE's model.
    await replay(rec, 'tinymce', [`${onlyInput(exported.skillMd)}=Ship the package today`]);
    assert.deepEqual(reports(server, 'mce').slice(seen), ['<p>Ship the <strong>package</strong> today</p>']);
  });

  test('@puppeteer/replay types the recorded sentence and bolds the recorded word', async () => {
    const seen = reports(server, 'mce').length;
    await runDevtools(exported.devtools, async () => {});
    await waitFor(() => reports(server, 'mce').length > seen, { what: 'a save under @puppeteer/replay' });
    assert.deepEqual(reports(server, 'mce').slice(seen), ['<p>Ship the <strong>release</strong> today</p>']);
  });

  test('a real OpenClaw gateway types the recorded sentence and bolds the recorded word', {
    // An OpenClaw click has no position (at the paragraph's centre the
    // double click would bold "today"): the plan ends there, and the agent
    // runs the skill's point function and double-clicks by coordinates.
    skip: openclawSkip(),
  }, async () => {
    const seen = reports(server, 'mce').length;
    await runOpenClaw(exported);
    await waitFor(() => reports(server, 'mce').length > seen, { what: 'a save under OpenClaw' });
    assert.deepEqual(reports(server, 'mce').slice(seen), ['<p>Ship the <strong>release</strong> today</p>']);
  });
});
