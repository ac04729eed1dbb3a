// Helpers for roundtrip-*.test.js: record with the real extension, deliver
// to a real relay, then export and replay the stored recording with the
// real `clawtrail` binary.

import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { beforeEach } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { PuppeteerRunnerExtension, createRunner, parse } from '@puppeteer/replay';
import { pressPopupButton, tabIdFor, waitForFrames, workerStatus } from './extension.js';
import { pairThroughPopup } from './extension.js';
export { pairThroughPopup as pair };
import { launch } from './browser.js';
import { clawtrailBin, startRelay } from './relay.js';
import { waitFor } from './wait.js';
import { openclawSkip, runSkill, startGateway } from './openclaw.js';
export { openclawSkip };

// For scripts/replay-table: with CLAWTRAIL_REPLAY_LOG set, each replay
// appends what it ran (scenario, replayer, steps, fallbacks) under the
// name of the test it ran in; the table marks it reached only if that test
// (which checks the pages' end state after the replay) passed.
let currentTest = null;
let currentScenario = null;
beforeEach((t) => {
  currentTest = t.name;
});
function logReplay(replayer, steps, fallbacks) {
  const file = process.env.CLAWTRAIL_REPLAY_LOG;
  if (!file) return;
  const line = { file: path.basename(process.argv[1] ?? ''), test: currentTest, scenario: currentScenario, replayer, steps, fallbacks };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/** Presses Record, runs `act()`, presses Stop; returns the stored recording. */
export async function record(chrome, relay, act) {
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
  const { id } = await workerStatus(chrome.worker);
  await act();
  await pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');
  return waitFor(async () => {
    const { recordings } = await relay.list();
    return recordings.some((r) => r.id === id) ? relay.show(id) : null;
  }, { timeout: 15_000, what: `recording ${id} at the relay` });
}

/** Runs the clawtrail binary; resolves to {code, stdout, stderr}, never throws. */
export function clawtrail(dataDir, args) {
  return new Promise((resolve) => {
    execFile(clawtrailBin(), [...args, '--data-dir', dataDir], { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Every file under `dir`, recursively, as text. */
export async function readTree(dir) {
  const out = {};
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const p = path.join(entry.parentPath ?? entry.path, entry.name);
      out[p] = await fs.readFile(p, 'utf8');
    }
  }
  return out;
}

/**
 * The round-trip steps shared by the roundtrip-*.test.js suites, over the
 * suite's browser, relay and output folder (`ctx()` returns them once the
 * suite's `before` has made them): record on a page, export both formats,
 * replay with `clawtrail replay`, run the DevTools flow in @puppeteer/replay.
 */
export function roundTrips(ctx) {
  /**
   * Opens `url`, waits until `frames` content scripts are ready (recording
   * before that would miss the first events), records `act(page)`.
   */
  async function recordOn(url, frames, act) {
    const page = await ctx().chrome.browser.newPage();
    try {
      await page.goto(url);
      await waitForFrames(ctx().chrome.worker, await tabIdFor(ctx().chrome.worker, url), frames);
      return await record(ctx().chrome, ctx().relay, async () => {
        await page.bringToFront();
        await act(page);
      });
    } finally {
      await page.close();
    }
  }

  /** Exports `rec` in both formats into `outDir/<name>`; returns the files. */
  async function exportBoth(rec, name) {
    const dir = path.join(ctx().outDir, name);
    await fs.mkdir(dir);
    for (const format of ['openclaw-skill', 'devtools']) {
      const r = await clawtrail(ctx().relay.dataDir, ['export', rec.id, '--format', format, '--out', dir, '--json']);
      assert.equal(r.code, 0, `${format}: ${r.stderr}`);
      const { path: written } = JSON.parse(r.stdout);
      assert.ok(written.startsWith(dir), `${format} written inside --out: ${written}`);
    }
    const files = await readTree(dir);
    const find = (suffix) => Object.entries(files).find(([p]) => p.endsWith(suffix));
    assert.ok(find('SKILL.md'), 'the skill has a SKILL.md');
    assert.ok(find('.devtools.json'), 'the DevTools flow was written');
    currentScenario = name;
    return { dir, skillMd: find('SKILL.md')[1], devtools: JSON.parse(find('.devtools.json')[1]) };
  }

  /** `clawtrail replay <id> --headless --param ... --report FILE`, which must pass. */
  async function replay(rec, name, params) {
    const report = path.join(ctx().outDir, `${name}-report.json`);
    const r = await clawtrail(ctx().relay.dataDir, [
      'replay', rec.id, '--headless', ...params.flatMap((p) => ['--param', p]), '--report', report,
    ]);
    assert.equal(r.code, 0, `replay exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    const json = JSON.parse(await fs.readFile(report, 'utf8'));
    assert.equal(json.recording_id, rec.id);
    assert.equal(json.passed, true, r.stdout);
    assert.equal(json.final_check.ok, true, r.stdout);
    logReplay('clawtrail replay', json.steps.length, json.steps.filter((s) => s.status === 'ok_with_fallback').length);
    const notOk = json.steps.filter((s) => s.status !== 'ok');
    assert.deepEqual(notOk, [], `every step ok:\n${r.stdout}`);
    return { json, stdout: r.stdout };
  }

  /**
   * Runs a DevTools export with the real @puppeteer/replay in a new tab;
   * must pass. Before each step the tab it acts in is brought to the front,
   * as it is for a person watching a replay (and in the DevTools Recorder
   * panel): headless Chromium does not lay out background tabs, so
   * @puppeteer/replay's ARIA queries there never return.
   */
  async function runDevtools(devtools, check) {
    const browser = ctx().chrome.browser;
    const page = await browser.newPage();
    let current = null;
    class VisibleTabs extends PuppeteerRunnerExtension {
      async beforeEachStep(step, flow) {
        current = step;
        const target = step.target && step.target !== 'main'
          ? (await browser.pages()).find((p) => p.url() === step.target)
          : page;
        await target?.bringToFront();
        await super.beforeEachStep?.(step, flow);
      }
    }
    try {
      const flow = parse(devtools);
      const runner = await createRunner(flow, new VisibleTabs(browser, page, { timeout: 10_000 }));
      // Say which step failed: @puppeteer/replay's own error names only the
      // timeout.
      const ok = await runner.run().catch((e) => {
        const n = flow.steps.indexOf(current) + 1;
        e.message = `step ${n} of ${flow.steps.length} (${JSON.stringify(current)}): ${e.message}`;
        throw e;
      });
      // Each step's selectors are raced, so which one won is not known.
      logReplay('@puppeteer/replay', flow.steps.length, null);
      assert.equal(ok, true);
      await check(page);
    } finally {
      await page.close();
    }
  }
  /**
   * Runs the exported skill plan by plan in a real OpenClaw gateway (one
   * per suite, started on first use), as an agent following SKILL.md
   * would, with `values` for its inputs; every plan must complete. The
   * caller checks the pages' end state. Tests calling this are skipped
   * unless `openclawSkip()` is false.
   */
  async function runOpenClaw(exported, values = {}) {
    ctx().gateway ??= await startGateway();
    await ctx().gateway.closeTabs();
    const skillMd = Object.keys(await readTree(exported.dir)).find((p) => p.endsWith('/SKILL.md'));
    const result = await runSkill(ctx().gateway, path.dirname(skillMd), values);
    // A plan has one selector per action: no fallback exists.
    logReplay('OpenClaw gateway', result.actions, 0);
    const lines = result.plans.map((p) => `plan ${p.number}: ${p.ok ? 'ok' : `FAILED: ${p.error}`} (${p.ms} ms)`);
    assert.ok(result.ok, `OpenClaw ran ${result.plans.filter((p) => p.ok).length} of ${result.total} plans\n${lines.join('\n')}`);
    return result;
  }
  return { recordOn, exportBoth, replay, runDevtools, runOpenClaw };
}

/**
 * A round-trip suite's browser, relay and output folder: `setUp()` starts
 * a real relay and Chromium with the extension, pairs them and makes an
 * output folder named after `prefix`; `tearDown()` undoes it. `ctx` holds
 * `chrome`, `relay` and `outDir` once set up; the round-trip steps work
 * over it.
 */
export function roundTripSuite(prefix) {
  const ctx = {};
  return {
    ctx,
    ...roundTrips(() => ctx),
    async setUp() {
      ctx.relay = await startRelay();
      ctx.chrome = await launch();
      await pairThroughPopup(ctx.chrome, ctx.relay);
      ctx.outDir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    },
    async tearDown() {
      await ctx.gateway?.stop();
      await ctx.chrome?.close();
      await ctx.relay?.close();
      if (ctx.outDir) await fs.rm(ctx.outDir, { recursive: true, force: true });
    },
  };
}
