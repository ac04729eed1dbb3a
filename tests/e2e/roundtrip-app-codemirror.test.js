// Record -> export -> replay on real third-party web components installed
// from npm, which we did not write: CodeMirror 6 (a code editor that keeps
// its own document model behind a contenteditable). Recorded with trusted
// input in Debian Chromium with the real extension, replayed with a NEW
// value by `clawtrail replay` and with the recorded one by
// @puppeteer/replay; the end state is what the editor's own model holds
// when the page's Save button reads it (reported to the test server).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import { onlyInput } from './lib/apps.js';
import { axProbes } from './lib/ax.js';
import { REPO_ROOT } from './lib/browser.js';
import { reportScript, reports, withReports } from './lib/reports.js';
import { openclawSkip, roundTripSuite } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { waitFor } from './lib/wait.js';

const suite = roundTripSuite('clawtrail-roundtrip-codemirror-');
const { recordOn, exportBoth, replay, runDevtools, runOpenClaw } = suite;
before(suite.setUp);
after(suite.tearDown);

/** Bundles `source` (an ES module importing npm packages) into one script. */
async function bundle(source) {
  const out = await build({
    stdin: { contents: source, resolveDir: REPO_ROOT, loader: 'js' },
    bundle: true,
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

describe('CodeMirror 6 editor', () => {
  let server;
  let rec;
  let ax;
  let exported;

  before(async () => {
    const js = await bundle(`
      import { EditorView, basicSetup } from 'codemirror';
      import { javascript } from '@codemirror/lang-javascript';
      const view = new EditorView({ doc: '', extensions: [basicSetup, javascript()], parent: document.getElementById('editor') });
      document.getElementById('save').addEventListener('click', () => report(view.state.doc.toString()));
    `);
    server = await serve(withReports({
      '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
      '/editor': {
        body: `<!doctype html><html><head><title>Script editor</title></head><body>
<h1>Script</h1><div id="editor"></div><button id="save" type="button">Save</button>
<script>${reportScript('cm')}</script><script src="/editor.js"></script></body></html>`,
      },
      '/editor.js': { body: js, type: 'text/javascript' },
    }));
    rec = await recordOn(server.url('/editor'), 1, async (page) => {
      ax = axProbes(page);
      await page.waitForSelector('.cm-content');
      await ax.click('.cm-content');
      await page.keyboard.type('let answer = 6 * 7;');
      await ax.click('#save');
    });
    exported = await exportBoth(rec, 'codemirror');
  });
  after(() => server?.close());

  test('the recording holds the editor text', () => {
    assert.deepEqual(reports(server, 'cm'), ['let answer = 6 * 7;'], 'the recorded session itself');
    const edits = rec.events.filter((e) => e.kind.type === 'content_edit');
    assert.ok(edits.length >= 1, JSON.stringify(rec.events.map((e) => e.kind.type)));
    assert.equal(edits.at(-1).kind.text.text.trim(), 'let answer = 6 * 7;');
  });

  test('every recorded click target has the role and name Chromium gives it', () => {
    // The clicks in the page (the probes are taken there).
    const clicks = rec.events.filter((e) => e.kind.type === 'click' && e.frame_path.length === 0)
      .map((e) => e.kind.target);
    const matched = ax.match(clicks);
    assert.deepEqual(matched.map((m) => m.recorded), matched.map((m) => m.browser), JSON.stringify(matched));
    assert.deepEqual(matched.map((m) => m.browser), [['textbox', ''], ['button', 'Save']], JSON.stringify(matched));
  });

  test('clawtrail replay types a new program into the editor model', async () => {
    const seen = reports(server, 'cm').length;
    const input = onlyInput(exported.skillMd);
    await replay(rec, 'codemirror', [`${input}=const total = 40 + 2;`]);
    assert.deepEqual(reports(server, 'cm').slice(seen), ['const total = 40 + 2;']);
  });

  test('@puppeteer/replay types the recorded program into the editor model', async () => {
    const seen = reports(server, 'cm').length;
    await runDevtools(exported.devtools, async () => {});
    await waitFor(() => reports(server, 'cm').length > seen, { what: 'a save under @puppeteer/replay' });
    assert.deepEqual(reports(server, 'cm').slice(seen), ['let answer = 6 * 7;']);
  });

  test('a real OpenClaw gateway types a new program into the editor model', { skip: openclawSkip() }, async () => {
    const seen = reports(server, 'cm').length;
    await runOpenClaw(exported, { [onlyInput(exported.skillMd)]: 'const sum = 1 + 1;' });
    await waitFor(() => reports(server, 'cm').length > seen, { what: 'a save under OpenClaw' });
    assert.deepEqual(reports(server, 'cm').slice(seen), ['const sum = 1 + 1;']);
  });
});
