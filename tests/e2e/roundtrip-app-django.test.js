// Record -> export -> replay on Django's admin (Django from PyPI, the
// version pinned in scripts/lib/setup.sh): a real server-rendered
// multi-page app with CSRF-protected forms and a session login, which we
// did not write. A fixture makes a throwaway project (startproject,
// SQLite, migrate, a superuser) and runs `manage.py runserver` on
// 127.0.0.1. Workflow, recorded with trusted input in Chromium with the
// real extension: log in (the password is redacted in the recording),
// Groups -> Add group, type a name, Save, Log out. Replayed with a NEW
// name (and the password) by `clawtrail replay`, and by @puppeteer/replay.
// The end state is the app's own database: the group exists under the
// typed name.
//
// The DevTools flow cannot carry the password either: its `change` step
// for the password field holds the `{{current_password}}` placeholder
// (docs/EXPORTS.md). The test fills it in a copy of the flow, as an agent
// or a person importing the flow would, and checks that the exported flow
// itself holds no password.

import assert from 'node:assert/strict';
import { axProbes } from './lib/ax.js';
import { after, before, describe, test } from 'node:test';
import { skillInputs } from './lib/apps.js';
import { startDjango } from './lib/django.js';
import { openclawSkip, readTree, roundTripSuite } from './lib/roundtrip.js';

const suite = roundTripSuite('clawtrail-roundtrip-django-');
const { recordOn, exportBoth, replay, runDevtools, runOpenClaw } = suite;
before(suite.setUp);
after(suite.tearDown);

describe('Django admin (server-rendered forms, session login)', () => {
  let django;
  let rec;
  let ax;
  let exported;
  /** Deletes the group `name`, so the next run starts from the recorded state. */
  const dropGroup = (name) =>
    django.shell(`from django.contrib.auth.models import Group; Group.objects.filter(name=${JSON.stringify(name)}).delete()`);

  before(async () => {
    django = await startDjango();
    // Not logged in, /admin/ redirects here.
    rec = await recordOn(django.url('/admin/login/?next=/admin/'), 1, async (page) => {
      ax = axProbes(page);
      const next = (click) => Promise.all([page.waitForNavigation(), click]);
      await page.waitForSelector('#id_username');
      await ax.click('#id_username');
      await page.keyboard.type('admin');
      await ax.click('#id_password');
      await page.keyboard.type(django.password);
      await next(ax.click('#login-form input[type=submit]'));
      await next(ax.click('#content-main a[href="/admin/auth/group/"]'));
      await next(ax.click('.object-tools a.addlink'));
      await ax.click('#id_name');
      await page.keyboard.type('Editors');
      await next(ax.click('input[name="_save"]'));
      await next(ax.click('#logout-form button'));
    });
    exported = await exportBoth(rec, 'django');
  });
  after(() => django?.close());

  test('the recording went through the admin, with the password redacted', async () => {
    assert.deepEqual(await django.groups(), ['Editors'], 'the recorded session itself saved the group');
    const pages = rec.events.filter((e) => e.kind.type === 'navigate').map((e) => new URL(e.url).pathname);
    assert.deepEqual(pages, ['/admin/', '/admin/auth/group/', '/admin/auth/group/add/', '/admin/auth/group/', '/admin/logout/']);
    const typed = rec.events.filter((e) => e.kind.type === 'input').map((e) => [e.kind.target.css, e.kind.value]);
    assert.deepEqual(typed, [
      ['#id_username', { kind: 'text', text: 'admin' }],
      ['#id_password', { kind: 'redacted', reason: 'password' }],
      ['#id_name', { kind: 'text', text: 'Editors' }],
    ]);
    // <input type=submit value="Log in"> and value="Save" are named by
    // their captions, as the replayer's locator names them.
    const buttons = rec.events.filter((e) => e.kind.type === 'click' && e.kind.target.aria?.role === 'button');
    assert.deepEqual(buttons.map((e) => e.kind.target.aria.name), ['Log in', 'Save', 'LOG OUT']);
    assert.deepEqual(skillInputs(exported.skillMd), ['username', 'current_password', 'name']);
    const everything = JSON.stringify(rec) + Object.values(await readTree(exported.dir)).join('\n');
    assert.ok(!everything.includes(django.password), 'the password is in neither the recording nor the exports');
  });

  test('every recorded click target has the role and name Chromium gives it', () => {
    const clicks = rec.events.filter((e) => e.kind.type === 'click').map((e) => e.kind.target);
    const matched = ax.match(clicks);
    assert.deepEqual(matched.map((m) => m.recorded), matched.map((m) => m.browser), JSON.stringify(matched));
    // Named as rendered: the admin's CSS uppercases two of them.
    assert.deepEqual(matched.map((m) => m.browser), [
      ['textbox', 'Username:'], ['textbox', 'Password:'], ['button', 'Log in'], ['link', 'Groups'],
      ['link', 'ADD GROUP'], ['textbox', 'Name:'], ['button', 'Save'], ['button', 'LOG OUT'],
    ], JSON.stringify(matched));
  });

  test('clawtrail replay logs in with the given password and saves a group under a new name', async () => {
    await dropGroup('Editors');
    const { stdout } = await replay(rec, 'django', [`current_password=${django.password}`, 'name=Reviewers']);
    assert.ok(!stdout.includes(django.password), 'the report names the parameter, not its value');
    assert.deepEqual(await django.groups(), ['Reviewers']);
  });

  test('@puppeteer/replay, with the password filled into a copy of the flow, saves the recorded group', async () => {
    await dropGroup('Reviewers');
    const json = JSON.stringify(exported.devtools);
    const secret = exported.devtools.steps.filter((s) => s.type === 'change' && s.value === '{{current_password}}');
    assert.equal(secret.length, 1, 'the password field gets the placeholder');
    await runDevtools(JSON.parse(json.replaceAll('{{current_password}}', django.password)), async () => {});
    assert.deepEqual(await django.groups(), ['Editors']);
  });

  test('a real OpenClaw gateway logs in with the password and saves a group under a new name', {
    // The admin's "Add group" link is recorded as Chromium shows it, CSS
    // text-transform applied ("ADD GROUP"); the plan matches it ignoring case.
    skip: openclawSkip(),
  }, async () => {
    await dropGroup('Editors');
    await dropGroup('Reviewers');
    await runOpenClaw(exported, { current_password: django.password, name: 'Auditors' });
    assert.deepEqual(await django.groups(), ['Auditors']);
  });
});
