import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { onlyInput } from './lib/apps.js';
import { REPO_ROOT } from './lib/browser.js';
import { reportScript, reports, withReports } from './lib/reports.js';
import { roundTripSuite, clawtrail } from './lib/roundtrip.js';
import { serve } from './lib/server.js';
import { withStatic } from './lib/static.js';
import { waitFor } from './lib/wait.js';

const suite = roundTripSuite('clawtrail-roundtrip-shoelace-');
const { recordOn, exportBoth, replay, runDevtools } = suite;
before(suite.setUp);
after(suite.tearDown);

const PAGE = `<!doctype html><html><head><title>Sign up</title>
<link rel="stylesheet" href="/sl/themes/light.css">
<script type="module">
  import { setBasePath } from '/sl/utilities/base-path.js';
  setBasePath('/sl');
  import '/sl/components/input/input.js';
  import '/sl/components/select/select.js';
  import '/sl/components/option/option.js';
  import '/sl/components/checkbox/checkbox.js';
  import '/sl/components/button/button.js';
</script></head><body>
<h1>Sign up</h1>
<form id="signup" style="max-width: 400px; display: grid; gap: 1rem">
<sl-input id="name" label="Name"></sl-input>
<sl-select id="plan" label="Plan" placeholder="Choose a plan">
  <sl-option value="free">Free</sl-option><sl-option value="pro">Pro</sl-option><sl-option value="team">Team</sl-option>
</sl-select>
<sl-checkbox id="news">Send me the newsletter</sl-checkbox>
<sl-button id="submit" variant="primary">Submit</sl-button>
</form>
<script>${reportScript('sl')}
document.getElementById('submit').addEventListener('click', () => report(JSON.stringify({
  name: document.getElementById('name').value,
  plan: document.getElementById('plan').value,
  news: document.getElementById('news').checked,
})));
</script></body></html>`;

describe('Shoelace', () => {
  let server;
  let rec;
  let exported;
  before(async () => {
    server = await serve(withStatic(withReports({
      '/favicon.ico': { body: '', status: 204, type: 'image/x-icon' },
      '/signup': { body: PAGE },
    }), '/sl/', path.join(REPO_ROOT, 'node_modules/@shoelace-style/shoelace/cdn')));
    rec = await recordOn(server.url('/signup'), 1, async (page) => {
      await page.waitForFunction(() => ['sl-input', 'sl-select', 'sl-option', 'sl-checkbox', 'sl-button'].every((t) => customElements.get(t)));
      await page.click('sl-input >>> input');
      await page.keyboard.type('Ada Lovelace');
      await page.click('sl-select >>> .select__combobox');
      const option = await page.waitForSelector('sl-option[value="pro"]', { visible: true });
      const closed = page.evaluate(() => new Promise((r) => document.getElementById('plan').addEventListener('sl-after-hide', r, { once: true })));
      await option.click();
      await closed;
      await page.click('sl-checkbox');
      await page.click('sl-button');
    });
    await fs.writeFile('/tmp/ct/sl-rec.json', JSON.stringify(rec, null, 1));
    exported = await exportBoth(rec, 'shoelace');
    await fs.writeFile('/tmp/ct/sl-devtools.json', JSON.stringify(exported.devtools, null, 1));
    await fs.writeFile('/tmp/ct/sl-SKILL.md', exported.skillMd);
  });
  after(() => server?.close());

  test('recording', () => {
    console.log(reports(server, 'sl'));
    console.log(rec.events.map((e) => `${e.kind.type} ${JSON.stringify(e.frame_path)} ${JSON.stringify(e.kind.target?.shadow_hosts ?? '')} ${e.kind.target?.css ?? ''}`).join('\n'));
  });
  test('clawtrail replay', async () => {
    const seen = reports(server, 'sl').length;
    const r = await clawtrail(suite.ctx.relay.dataDir, ['replay', rec.id, '--headless', '--param', `${onlyInput(exported.skillMd)}=Grace Hopper`, '--report', '/tmp/ct/sl-report.json']);
    console.log(r.stdout, r.stderr);
    console.log(reports(server, 'sl').slice(seen));
  });
  test('devtools', async () => {
    const seen = reports(server, 'sl').length;
    await runDevtools(exported.devtools, async (page) => { console.log(await page.evaluate(() => JSON.stringify({ url: location.href, name: document.getElementById('name').value, plan: document.getElementById('plan').value, news: document.getElementById('news').checked, open: document.getElementById('plan').open }))); await page.screenshot({ path: '/tmp/ct/dt.png' });
      for (const sel of ['text/Submit', '#submit']) { const h = await page.$(sel); console.log(sel, h && await h.evaluate((e) => e.outerHTML.slice(0, 80) + ' ' + e.getRootNode().nodeName), h && await h.boundingBox()); }
    });
    console.log(server.requests.slice(-20));
    await waitFor(() => reports(server, 'sl').length > seen, { what: 'a save under @puppeteer/replay' });
    console.log(reports(server, 'sl').slice(seen));
  });
});
