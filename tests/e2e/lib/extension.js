// Helpers that talk to the loaded extension through its service worker,
// the same way the popup and content scripts do, plus the worker's
// DevTools-only test hooks (`self.clawtrail`, see extension/src/service_worker.js).

import { waitFor } from './wait.js';

/** The tab id Chromium gave the puppeteer page showing `url`. */
export async function tabIdFor(worker, url) {
  return waitFor(
    () => worker.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, url),
    { what: `a tab showing ${url}` },
  );
}

/** Frames whose content script said hello, for one tab (latest per frame). */
export async function framesOf(worker, tabId) {
  const hellos = await worker.evaluate(async () => {
    await self.clawtrail.ready;
    return self.clawtrail.frames();
  });
  const byFrame = new Map();
  for (const h of hellos.filter((f) => f.tab_id === tabId)) byFrame.set(h.frame_id, h);
  return [...byFrame.values()];
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

/** The worker's full status: {status, id, events, relay, pending, ...}. */
export function workerStatus(worker) {
  return worker.evaluate(async () => self.clawtrail.status());
}

/** Events content scripts sent to this worker instance (accepted or not). */
export function received(worker) {
  return worker.evaluate(async () => {
    await self.clawtrail.ready;
    return self.clawtrail.received();
  });
}

/** Every stored event of the current recording (or of recording `id`). */
export function storedEvents(worker, id) {
  return worker.evaluate(async (i) => {
    await self.clawtrail.ready;
    return self.clawtrail.storedEvents(i ?? undefined);
  }, id ?? null);
}

/** Everything in chrome.storage.local, as one JSON string (for leak checks). */
export function localStorageDump(worker) {
  return worker.evaluate(async () => JSON.stringify(await chrome.storage.local.get(null)));
}

/** Keys in chrome.storage.local that hold recorded data. */
export function recordingKeys(worker) {
  return worker.evaluate(async () => (await chrome.storage.local.getKeys()).filter((k) => k.startsWith('rec:')));
}

/** Opens the real popup page in a tab of its own and returns it. */
export async function openPopup(browser, extensionId) {
  const popup = await browser.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  return popup;
}

/**
 * Opens the real popup, clicks one of its buttons (record, pause, stop,
 * retry) and waits for the popup to show `status` (idle, active, paused).
 * Closes the popup again.
 */
export async function pressPopupButton(browser, worker, extensionId, button, status) {
  const popup = await openPopup(browser, extensionId);
  try {
    await popup.click(`#${button}`);
    await waitFor(() => popup.evaluate((s) => document.body.dataset.status === s, status), {
      what: `popup to show status ${status}`,
    });
  } finally {
    await popup.close();
  }
  const s = await workerStatus(worker);
  if (s.status !== status) throw new Error(`worker status is ${s.status}, expected ${status}`);
}

/**
 * Stops the service worker the way Chromium does when it idles it out
 * (CDP Target.closeTarget), waits until it is gone, wakes it again by
 * opening an extension page, and returns the new worker.
 */
export async function stopWorker(browser, worker) {
  const { EXTENSION_ID } = await import('./browser.js');
  const isOurWorker = (t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${EXTENSION_ID}/`);
  const old = browser.targets().find(isOurWorker);
  const gone = new Promise((resolve) => {
    const onDestroyed = (t) => {
      if (t === old) {
        browser.off('targetdestroyed', onDestroyed);
        resolve();
      }
    };
    browser.on('targetdestroyed', onDestroyed);
  });
  await worker.close();
  await Promise.race([gone, new Promise((_, reject) => setTimeout(() => reject(new Error('worker did not stop')), 10_000))]);
  const page = await browser.newPage();
  try {
    await page.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    const target = await browser.waitForTarget((t) => isOurWorker(t) && t !== old, { timeout: 15_000 });
    return await target.worker();
  } finally {
    await page.close();
  }
}

/**
 * Points the extension at `relay` and pairs it through the real popup:
 * `clawtrail pair` prints a code, the user types it into `#pair-code`.
 * `setPort: false` leaves the extension to find the relay itself, as a
 * user's does.
 */
export async function pairThroughPopup(chrome, relay, { setPort = true } = {}) {
  if (setPort) await chrome.worker.evaluate((p) => self.clawtrail.setRelayPort(p), relay.port);
  const code = await relay.pairCode();
  const popup = await openPopup(chrome.browser, chrome.extensionId);
  try {
    await waitFor(() => popup.evaluate(() => !document.getElementById('pairing').hidden), {
      what: 'the popup to ask for a pairing code',
    });
    await popup.type('#pair-code', code);
    await popup.click('#pair');
    await waitFor(() => popup.evaluate(() => document.getElementById('relay').dataset.relay === 'connected'), {
      what: 'the popup to show the relay as connected',
    });
  } finally {
    await popup.close();
  }
}
