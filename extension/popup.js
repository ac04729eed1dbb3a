// Popup glue: three buttons that send a command to the service worker and
// show the state it answers with. The worker owns all logic.
const statusEl = document.getElementById('status');

function show(reply) {
  if (!reply || !reply.ok) {
    statusEl.textContent = `error: ${reply ? reply.error : 'no answer'}`;
    return;
  }
  statusEl.textContent = `${reply.mode} · ${reply.events} events`;
  document.body.dataset.mode = reply.mode;
}

async function send(type) {
  try {
    show(await chrome.runtime.sendMessage({ type }));
  } catch (e) {
    show({ ok: false, error: String(e) });
  }
}

for (const id of ['record', 'pause', 'stop']) {
  document.getElementById(id).addEventListener('click', () => send(id));
}
send('status');
