// `scripts/run --browser`: the relay plus a Chromium that is one click from
// Record. Starts `clawtrail serve`, opens Debian's Chromium with the built
// extension loaded into a profile of its own, pairs the two through the real
// popup (the way a person would, with a code from `clawtrail pair`) unless
// that profile is paired already, and stays until the browser is closed or
// the process is interrupted; then it stops the relay.
//
// The browser is driven over a pipe (--remote-debugging-pipe), never a
// debugging port: a port would let any local process control the browser.
//
//   node scripts/lib/browser.mjs --relay BIN --extension DIR [--profile DIR]
//
// Environment: CLAWTRAIL_BROWSER_HEADLESS=1 runs it headless (the tests);
// CLAWTRAIL_CHROMIUM overrides /usr/bin/chromium; CLAWTRAIL_DATA_DIR is the
// relay's data directory, as for every clawtrail command.

import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import puppeteer from 'puppeteer-core';

/** Pinned by the `key` in extension/manifest.json. */
export const EXTENSION_ID = 'niodlkgapdgglnicnoobiapimlhakbad';

/** The dedicated profile: recordings made here never mix with a person's own browsing. */
export function defaultProfile() {
  const data = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local/share');
  return path.join(data, 'clawtrail/chromium');
}

/** Starts `clawtrail serve` and resolves once it listens (its first stdout line). */
async function startRelay(bin) {
  const child = spawn(bin, ['serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  child.stderr.on('data', (d) => {
    stderr.push(String(d));
    process.stderr.write(d);
  });
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`clawtrail serve exited with ${code}: ${stderr.join('').trim()}`)));
    lines.once('line', resolve);
  });
  lines.on('line', (l) => console.log(l));
  const m = /^listening on (127\.0\.0\.1:\d+)$/.exec(first);
  if (!m) throw new Error(`unexpected first line from clawtrail serve: ${first}`);
  return { child, address: m[1] };
}

async function waitFor(probe, what, timeout = 15_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Pairs the extension with the running relay through the popup, unless it
 * is paired already. Returns 'already' or 'paired'.
 */
async function pair(browser, relayBin) {
  const popup = await browser.newPage();
  try {
    await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    const relayState = () => popup.evaluate(() => document.getElementById('relay').dataset.relay);
    // The popup asks the worker, which asks the relay; "unknown" until then.
    const state = await waitFor(async () => {
      const s = await relayState();
      return s && s !== 'unknown' ? s : null;
    }, 'the popup to show the relay status');
    if (state === 'connected') return 'already';
    if (state !== 'not_paired') throw new Error(`the popup says the relay is ${state}`);
    const { stdout } = await promisify(execFile)(relayBin, ['pair', '--json'], { timeout: 30_000 });
    const { code } = JSON.parse(stdout);
    await popup.type('#pair-code', code);
    await popup.click('#pair');
    await waitFor(async () => (await relayState()) === 'connected', 'the popup to show the relay as connected');
    return 'paired';
  } finally {
    await popup.close();
  }
}

/**
 * Starts the relay and a paired Chromium. Returns `{ browser, relay,
 * paired, close() }`; `paired` is 'already' or 'paired'.
 */
export async function openPairedBrowser({ relayBin, extension, profile = defaultProfile(), headless = false }) {
  await fs.access(path.join(extension, 'manifest.json')).catch(() => {
    throw new Error(`${extension} holds no built extension (scripts/build-extension makes it)`);
  });
  await fs.mkdir(profile, { recursive: true, mode: 0o700 });
  const relay = await startRelay(relayBin);
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: process.env.CLAWTRAIL_CHROMIUM ?? '/usr/bin/chromium',
      pipe: true,
      // This script stops browser and relay together on a signal;
      // puppeteer's own handlers would exit with 130 and orphan the relay.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      userDataDir: profile,
      defaultViewport: null,
      // Puppeteer's defaults are for automation (an "automated software"
      // bar, no popup blocker, a mock keychain, extensions off); this is a
      // browser a person records in, so only these flags are passed.
      ignoreDefaultArgs: true,
      args: [
        ...(headless ? ['--headless=new'] : []),
        // Chromium refuses to start as root with its sandbox on.
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        `--user-data-dir=${profile}`,
        '--no-first-run',
        '--no-default-browser-check',
        // A recording profile: no sign-in sync, no component downloads.
        '--disable-sync',
        '--disable-component-update',
        '--disable-background-networking',
        `--disable-extensions-except=${extension}`,
        `--load-extension=${extension}`,
        'about:blank',
      ],
    });
    await browser.waitForTarget(
      (t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${EXTENSION_ID}/`),
      { timeout: 15_000 },
    );
    const paired = await pair(browser, relayBin);
    let closed = false;
    return {
      browser,
      relay,
      paired,
      async close() {
        if (closed) return;
        closed = true;
        await browser.close().catch(() => {});
        relay.child.kill('SIGTERM');
      },
    };
  } catch (e) {
    await browser?.close().catch(() => {});
    relay.child.kill('SIGTERM');
    throw e;
  }
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!['--relay', '--extension', '--profile'].includes(flag) || value === undefined) {
      throw new Error(`usage: browser.mjs --relay BIN --extension DIR [--profile DIR] (got ${flag})`);
    }
    out[flag.slice(2)] = value;
  }
  if (!out.relay || !out.extension) throw new Error('--relay and --extension are required');
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const headless = process.env.CLAWTRAIL_BROWSER_HEADLESS === '1';
  if (!headless && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new Error(
      'no display (neither DISPLAY nor WAYLAND_DISPLAY is set): --browser opens a window. ' +
        'On a machine without a desktop, run plain scripts/run and load the extension into your own browser.',
    );
  }
  const profile = args.profile ?? defaultProfile();
  const session = await openPairedBrowser({ relayBin: args.relay, extension: args.extension, profile, headless });
  const stop = async () => {
    await session.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  session.browser.on('disconnected', () => {
    session.relay.child.kill('SIGTERM');
    process.exit(0);
  });
  console.log(`
clawtrail is ready: Chromium is open with the extension loaded and ${session.paired === 'already' ? 'already paired' : 'paired'}.
  Relay   : ${session.relay.address} (data in ${process.env.CLAWTRAIL_DATA_DIR || path.join(os.homedir(), '.openclaw')})
  Profile : ${profile}
Click the clawtrail icon (under the puzzle piece in the toolbar), then Record; or press Alt+Shift+R.
Close the browser or press Ctrl-C to stop both.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`error: ${e.message}`);
    process.exit(1);
  });
}
