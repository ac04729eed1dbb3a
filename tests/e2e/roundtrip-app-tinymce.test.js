import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from './lib/browser.js';
import { reportScript, reports, withReports } from './lib/reports.js';
import { roundTripSuite, clawtrail } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { withStatic } from './lib/static.js';
import { waitFor } from './lib/wait.js';

const suite = roundTripSuite('clawtrail-roundtrip-tinymce-');
const { recordOn, exportBoth, replay, runDevtools } = suite;
before(suite.setUp);
after(suite.tearDown);

describe('TinyMCE', () => {
  let server;
  let rec;
  let exported;
  before(async () => {
    server = await serve(withStatic(withReports({
      '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
      '/article': {
        body: `<!doctype html><html><head><title>Article editor</title>
<script src="/tinymce/tinymce.min.js"></script></head><body>
<h1>Article</h1><textarea id="article"></textarea><button id="save" type="button">Save</button>
<script>${reportScript('mce')}
tinymce.init({ selector: '#article', license_key: 'gpl', menubar: false, toolbar: 'bold italic', plugins: [], promotion: false, branding: false, statusbar: false, height: 300 });
document.getElementById('save').addEventListener('click', () => report(tinymce.activeEditor.getContent()));
</script></body></html>`,
      },
    }), '/tinymce/', path.join(REPO_ROOT, 'node_modules/tinymce')));
    rec = await recordOn(server.url('/article'), 2, async (page) => {
      const frame = await (await page.waitForSelector('iframe.tox-edit-area__iframe')).contentFrame();
      const body = await frame.waitForSelector('body#tinymce');
      await body.click();
      await page.keyboard.type('Ship the release today');
      const word = await frame.evaluateHandle(() => document.querySelector('p'));
      // double click on "release"
      const box = await frame.evaluate(() => { const p = document.querySelector('p'); const r = document.createRange(); const t = p.firstChild; const i = t.data.indexOf('release'); r.setStart(t, i); r.setEnd(t, i + 7); const b = r.getBoundingClientRect(); return { x: b.x + b.width / 2, y: b.y + b.height / 2 }; });
      const ifr = await (await page.$('iframe.tox-edit-area__iframe')).boundingBox();
      await page.mouse.click(ifr.x + box.x, ifr.y + box.y, { count: 2 });
      await page.click('button[aria-label="Bold"]');
      await page.click('#save');
    });
    await fs.writeFile('/tmp/ct/tinymce-rec.json', JSON.stringify(rec, null, 1));
    exported = await exportBoth(rec, 'tinymce');
    await fs.writeFile('/tmp/ct/tinymce-devtools.json', JSON.stringify(exported.devtools, null, 1));
    await fs.writeFile('/tmp/ct/tinymce-SKILL.md', exported.skillMd);
  });
  after(() => server?.close());

  test('clawtrail replay', async () => {
    const seen = reports(server, 'mce').length;
    const input = [...exported.skillMd.matchAll(/^- `\{\{(\w+)\}\}`/gm)].map((m) => m[1])[0];
    const r = await clawtrail(suite.ctx.relay.dataDir, ['replay', rec.id, '--headless', '--param', `${input}=Ship the package today`, '--report', '/tmp/ct/report.json']);
    console.log(r.stdout, r.stderr);
    console.log(reports(server, 'mce').slice(seen));
  });
  test('devtools', async () => {
    const seen = reports(server, 'mce').length;
    await runDevtools(exported.devtools, async () => {});
    await waitFor(() => reports(server, 'mce').length > seen, { what: 'a save under @puppeteer/replay' });
    console.log(reports(server, 'mce').slice(seen));
  });
  test('recording', () => {
    console.log(reports(server, 'mce'));
    console.log(rec.events.map((e) => `${e.kind.type} ${JSON.stringify(e.frame_path)} ${e.kind.target?.css ?? ''}`).join('\n'));
  });
});
