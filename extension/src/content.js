// Content-script entry, bundled with the wasm2js recorder into one classic
// script (see scripts/build-extension). Thin glue: the recorder (Rust)
// captures; this file only connects it to chrome.runtime.
import { t0 } from './t0.js';
import * as recorder from 'clawtrail-recorder';

// At document_start this is "loading"; the e2e tests check it.
const readyStateAtStart = document.readyState;

let initError = null;
try {
  recorder.start((json) => {
    // The worker may be restarting; a lost event is better than an
    // exception in the page's click path.
    chrome.runtime.sendMessage({ type: 'event', event: JSON.parse(json) }).catch(() => {});
  });
} catch (e) {
  initError = String(e);
}
const initMs = performance.now() - t0;
const frame = JSON.parse(recorder.frame_path());

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  // Only our own extension can reach this listener (there is no
  // externally_connectable), but say so explicitly.
  if (sender.id !== chrome.runtime.id || typeof msg !== 'object' || msg === null) return false;
  switch (msg.type) {
    case 'ping':
      sendResponse({
        ok: initError === null,
        recording: recorder.is_recording(),
        frame,
        ready_state_at_start: readyStateAtStart,
        init_ms: initMs,
        error: initError,
      });
      return false;
    case 'set_recording':
      recorder.set_recording(msg.recording === true);
      sendResponse({ ok: true, recording: recorder.is_recording(), frame });
      return false;
    default:
      return false;
  }
});

// A frame that loads while a recording runs must join it: ask the worker.
chrome.runtime
  .sendMessage({ type: 'hello', frame, url: location.href, ok: initError === null })
  .then((reply) => {
    if (reply && typeof reply.recording === 'boolean') recorder.set_recording(reply.recording);
  })
  .catch(() => {});
