// Helpers for the capture-*.test.js files: start a recording through the
// real popup, open pages with live content scripts, and read back the
// events the real service worker stored (accepted, seq-numbered Events).

import { pressPopupButton, storedEvents, tabIdFor, waitForFrames } from './extension.js';
import { waitFor } from './wait.js';

/** Starts a recording with the popup's Record button. */
export function startRecording(chrome) {
  return pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'record', 'active');
}

export function stopRecording(chrome) {
  return pressPopupButton(chrome.browser, chrome.worker, chrome.extensionId, 'stop', 'idle');
}

/** Opens `url` in a new tab and waits for `frames` content scripts. */
export async function openPage(chrome, url, frames = 1) {
  const page = await chrome.browser.newPage();
  await page.goto(url);
  const tabId = await tabIdFor(chrome.worker, url);
  await waitForFrames(chrome.worker, tabId, frames);
  return { page, tabId };
}

/** Stored events of the current recording that came from content scripts of `tabId`. */
export async function contentEvents(chrome, tabId) {
  const all = await storedEvents(chrome.worker);
  return all.filter((e) => e.tab_id === tabId && !e.kind.type.startsWith('tab_'));
}

/** Waits until `pred(events)` holds for the tab's stored events; returns them. */
export function waitForEvents(chrome, tabId, pred, what) {
  return waitFor(
    async () => {
      const events = await contentEvents(chrome, tabId);
      return pred(events) ? events : null;
    },
    { what, timeout: 10_000 },
  );
}

/** Compact `type[:detail]` strings, to assert order readably. */
export function summary(events) {
  return events.map((e) => {
    const k = e.kind;
    switch (k.type) {
      case 'navigate':
        return `navigate:${k.cause}`;
      case 'key':
        return `key:${k.key}`;
      case 'input':
        return `input:${k.value.kind === 'text' ? k.value.text : `redacted(${k.value.reason})`}`;
      default:
        return k.type;
    }
  });
}
