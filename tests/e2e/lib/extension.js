// Helpers that talk to the loaded extension through its service worker,
// the same way the popup and content scripts do.

import { waitFor } from './wait.js';

/** The tab id Chromium gave the puppeteer page showing `url`. */
export async function tabIdFor(worker, url) {
  return waitFor(
    () => worker.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, url),
    { what: `a tab showing ${url}` },
  );
}

/** Frames whose content script said hello, for one tab. */
export function framesOf(worker, tabId) {
  return worker.evaluate((id) => self.clawtrail.state.frames.filter((f) => f.tab_id === id), tabId);
}

/** Waits until `count` frames of the tab have said hello; returns them. */
export function waitForFrames(worker, tabId, count) {
  return waitFor(
    async () => {
      const frames = await framesOf(worker, tabId);
      return frames.length >= count ? frames : null;
    },
    { what: `${count} content script(s) to say hello in tab ${tabId}` },
  );
}

/** Sends a message to the content script of one frame and returns its answer. */
export function sendToFrame(worker, tabId, frameId, message) {
  return worker.evaluate(
    (t, f, m) => chrome.tabs.sendMessage(t, m, { frameId: f }),
    tabId,
    frameId,
    message,
  );
}

export function ping(worker, tabId, frameId) {
  return sendToFrame(worker, tabId, frameId, { type: 'ping' });
}

/** What the worker has received so far. */
export function workerState(worker) {
  return worker.evaluate(() => structuredClone(self.clawtrail.state));
}

/**
 * Opens the real popup page in a tab, clicks one of its buttons and waits
 * for the worker to reach `mode`. Closes the popup again.
 */
export async function pressPopupButton(browser, worker, extensionId, button, mode) {
  const popup = await browser.newPage();
  try {
    await popup.goto(`chrome-extension://${extensionId}/popup.html`);
    await popup.click(`#${button}`);
    await waitFor(() => popup.evaluate((m) => document.body.dataset.mode === m, mode), {
      what: `popup to show mode ${mode}`,
    });
  } finally {
    await popup.close();
  }
  const state = await workerState(worker);
  if (state.mode !== mode) throw new Error(`worker mode is ${state.mode}, expected ${mode}`);
}
