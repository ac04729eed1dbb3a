// clawtrail service worker, minimal for now: it keeps the recording mode,
// tells every frame about it, and counts the events content scripts send.
// Posting the recording to the relay comes later.

const state = {
  mode: 'idle', // 'idle' | 'recording' | 'paused'
  received: 0, // every 'event' message, accepted or not
  events: [], // accepted: { tab_id, frame_id, event }
  frames: [], // hello messages: { tab_id, frame_id, frame, url, ok }
};

// Commands that change the recording may only come from our own extension
// pages (the popup, or popup.html opened in a tab), never from a content
// script: a content script runs inside arbitrary pages and its renderer may
// be compromised. The browser, not the sender, fills in `sender.url`, and
// for a content script it is the page's URL.
function fromExtensionPage(sender) {
  return sender.id === chrome.runtime.id &&
    typeof sender.url === 'string' && sender.url.startsWith(chrome.runtime.getURL(''));
}

async function setMode(mode) {
  state.mode = mode;
  const recording = mode === 'recording';
  const tabs = await chrome.tabs.query({});
  // Without a frameId, tabs.sendMessage reaches every frame of the tab.
  await Promise.all(tabs.map((tab) =>
    chrome.tabs.sendMessage(tab.id, { type: 'set_recording', recording }).catch(() => {})));
}

function status() {
  return { ok: true, mode: state.mode, received: state.received, events: state.events.length };
}

async function handleMessage(msg, sender) {
  if (typeof msg !== 'object' || msg === null) return { ok: false, error: 'not a message' };
  switch (msg.type) {
    case 'hello':
      if (!sender.tab) return { ok: false, error: 'hello comes from a tab' };
      state.frames.push({
        tab_id: sender.tab.id, frame_id: sender.frameId, frame: msg.frame, url: msg.url, ok: msg.ok,
      });
      return { ok: true, recording: state.mode === 'recording' };
    case 'event':
      state.received += 1;
      if (!sender.tab || state.mode !== 'recording') return { ok: false, error: 'not recording' };
      state.events.push({ tab_id: sender.tab.id, frame_id: sender.frameId, event: msg.event });
      return { ok: true };
    case 'status':
      return status();
    case 'record':
    case 'pause':
    case 'stop':
      if (!fromExtensionPage(sender)) return { ok: false, error: 'forbidden' };
      await setMode({ record: 'recording', pause: 'paused', stop: 'idle' }[msg.type]);
      return status();
    default:
      return { ok: false, error: 'unknown message type' };
  }
}

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  handleMessage(msg, sender).then(sendResponse, (e) => sendResponse({ ok: false, error: String(e) }));
  return true; // the answer is asynchronous
});

// Reachable only from inside the extension (and from DevTools/CDP), which
// is how the e2e tests read what arrived.
self.clawtrail = { state, handleMessage };
