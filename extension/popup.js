// Popup glue: buttons send commands to the service worker, which owns all
// logic; this file only renders the status it answers with.
const $ = (id) => document.getElementById(id);

const RELAY_TEXT = {
  connected: 'relay: connected',
  not_running: 'relay: not running',
  not_paired: 'relay: not paired',
};

function elapsed(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

function showError(text) {
  $('error').textContent = text || '';
  $('error').hidden = !text;
}

function render(s) {
  if (!s || !s.ok) {
    showError(s ? s.error : 'the extension did not answer');
    return;
  }
  document.body.dataset.status = s.status;
  $('status').textContent = { idle: 'Not recording', active: 'Recording', paused: 'Paused' }[s.status];
  $('events').textContent = String(s.events || 0);
  $('elapsed').textContent = s.started_at ? elapsed(s.now - Date.parse(s.started_at)) : '0:00';
  $('record').disabled = s.status !== 'idle';
  $('pause').disabled = s.status === 'idle';
  $('pause').textContent = s.status === 'paused' ? 'Resume' : 'Pause';
  $('stop').disabled = s.status === 'idle';
  if (s.relay) {
    // The port shows which relay proved itself (18799, or a fallback when
    // another program holds it).
    $('relay').textContent = s.relay === 'connected' && s.relay_port
      ? `relay: connected (port ${s.relay_port})`
      : RELAY_TEXT[s.relay] || `relay: ${s.relay}`;
    $('relay').dataset.relay = s.relay;
    $('pairing').hidden = s.relay !== 'not_paired';
  }
  const pending = s.pending || [];
  $('pending-count').textContent = String(pending.length);
  $('retry').hidden = pending.length === 0;
  $('pending-list').replaceChildren(...pending.map((p) => {
    const li = document.createElement('li');
    li.dataset.id = p.id;
    const next = p.next_attempt_at ? `, next try ${new Date(p.next_attempt_at).toLocaleTimeString()}` : '';
    li.textContent = `${p.name} · ${p.events} events${next}${p.last_error ? ` — ${p.last_error}` : ''}`;
    return li;
  }));
}

async function send(message) {
  try {
    const reply = await chrome.runtime.sendMessage(message);
    if (reply && !reply.ok) showError(reply.error);
    return reply;
  } catch (e) {
    showError(String(e.message || e));
    return null;
  }
}

async function refresh() {
  render(await send({ type: 'status' }));
}

$('record').addEventListener('click', async () => { showError(''); await send({ type: 'record' }); refresh(); });
$('pause').addEventListener('click', async () => {
  await send({ type: document.body.dataset.status === 'paused' ? 'resume' : 'pause' });
  refresh();
});
$('stop').addEventListener('click', async () => { await send({ type: 'stop' }); refresh(); });
$('retry').addEventListener('click', async () => { await send({ type: 'retry_now' }); refresh(); });
$('pair-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const reply = await send({ type: 'pair', code: $('pair-code').value });
  if (reply && reply.ok) {
    $('pair-code').value = '';
    showError('');
  }
  refresh();
});

// The Recordings page (viewer.html, built from crates/viewer/) opens in a tab.
$('open-viewer').addEventListener('click', () => {
  chrome.tabs.create({ url: chrome.runtime.getURL('viewer.html') });
});

refresh();
setInterval(refresh, 1000);
