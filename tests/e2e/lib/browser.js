// Launches the system Chromium with the built extension loaded unpacked,
// and finds the extension's service worker. Puppeteer never downloads a
// browser here: puppeteer-core plus an explicit executablePath.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../..');

/** Pinned by the `key` in extension/manifest.json. */
export const EXTENSION_ID = 'niodlkgapdgglnicnoobiapimlhakbad';

/** Where scripts/build-extension puts the unpacked extension by default. */
export function extensionDir() {
  return path.resolve(process.env.CLAWTRAIL_EXTENSION_DIR ?? path.join(REPO_ROOT, 'target/extension'));
}

const CHROMIUM = process.env.CLAWTRAIL_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Starts Chromium with the extension and waits for its service worker.
 * Returns `{ browser, worker, extensionId, close }`; always call `close()`.
 */
export async function launch({ extension = extensionDir(), profile, installLater = false } = {}) {
  await fs.access(path.join(extension, 'content.js')).catch(() => {
    throw new Error(`${extension}/content.js missing: run scripts/build-extension first`);
  });
  // A caller-owned `profile` survives close(), to test a browser restart.
  const userDataDir = profile ?? await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-e2e-'));
  const removeProfile = () => (profile ? Promise.resolve() : fs.rm(userDataDir, { recursive: true, force: true }));
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true, // puppeteer passes --headless=new
      pipe: true,
      userDataDir,
      // `true` only stops puppeteer from adding --disable-extensions; the
      // extension is loaded by the flags below, as a user would.
      enableExtensions: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // installLater: start without the extension; the caller installs it
        // at run time over CDP (`install()` below), as a user installs it
        // into a browser that already has tabs open.
        ...(installLater
          ? ['--enable-unsafe-extension-debugging']
          : [`--disable-extensions-except=${extension}`, `--load-extension=${extension}`]),
      ],
    });
    if (installLater) {
      return {
        browser,
        async install() {
          const id = await browser.installExtension(extension);
          const workerTarget = await browser.waitForTarget(
            (t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${id}/`),
            { timeout: 15_000 },
          );
          return { id, workerTarget, worker: await workerTarget.worker() };
        },
        close: async () => {
          await browser.close().catch(() => {});
          await removeProfile();
        },
      };
    }
    const workerTarget = await browser.waitForTarget(
      (t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${EXTENSION_ID}/`),
      { timeout: 15_000 },
    );
    const worker = await workerTarget.worker();
    const extensionId = new URL(workerTarget.url()).host;
    return {
      browser,
      worker,
      workerTarget,
      extensionId,
      close: async () => {
        await browser.close().catch(() => {});
        await removeProfile();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => {});
    await removeProfile();
    throw e;
  }
}
