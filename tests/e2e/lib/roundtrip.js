// Helpers for roundtrip-*.test.js: record with the real extension, deliver
// to a real relay, then export and replay the stored recording with the
// real `clawtrail` binary.

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pressPopupButton, workerStatus } from './extension.js';
export { pairThroughPopup as pair } from './extension.js';
import { clawtrailBin } from './relay.js';
import { waitFor } from './wait.js';

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
