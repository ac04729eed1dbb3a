// A real relay process (the `clawtrail` binary) on a free loopback port with
// a temporary data directory, plus the CLI calls tests need.

import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import { REPO_ROOT } from './browser.js';

const run = promisify(execFile);

export function clawtrailBin() {
  return path.resolve(process.env.CLAWTRAIL_BIN ?? path.join(REPO_ROOT, 'target/debug/clawtrail'));
}

/** Runs `clawtrail ARGS --data-dir DIR` and returns stdout (throws on failure). */
export async function cli(dataDir, args) {
  const { stdout } = await run(clawtrailBin(), [...args, '--data-dir', dataDir], { timeout: 30_000 });
  return stdout;
}

/**
 * Starts `clawtrail serve` on `port` (0: any free port; null: no --port,
 * the default ports as a user gets them). Returns
 * `{port, url, dataDir, log(), stop(), restart(), pairCode(), list(), show(id)}`.
 */
export async function startRelay({ port = 0, dataDir } = {}) {
  dataDir ??= await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-relay-'));
  let child;
  let boundPort = port;
  const stderr = [];

  async function spawnRelay(p) {
    const portArgs = p === null ? [] : ['--port', String(p)];
    child = spawn(clawtrailBin(), ['serve', ...portArgs, '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr.on('data', (d) => stderr.push(String(d)));
    const lines = readline.createInterface({ input: child.stdout });
    const first = await new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${stderr.join('')}`)));
      lines.once('line', resolve);
    });
    const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(first);
    if (!m) throw new Error(`unexpected first line from relay: ${first}`);
    boundPort = Number(m[1]);
  }

  await spawnRelay(port);
  const relay = {
    dataDir,
    get port() { return boundPort; },
    get url() { return `http://127.0.0.1:${boundPort}`; },
    log: () => stderr.join(''),
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
    /** Starts it on the same port again if it is not running. */
    async ensureRunning() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      await spawnRelay(boundPort);
    },
    /** Starts it again on the same port and data directory. */
    async restart() {
      await relay.stop();
      await spawnRelay(boundPort);
    },
    async pairCode() {
      return JSON.parse(await cli(dataDir, ['pair', '--json'])).code;
    },
    async list() {
      return JSON.parse(await cli(dataDir, ['list', '--json']));
    },
    async show(id) {
      return JSON.parse(await cli(dataDir, ['show', id, '--json']));
    },
    async close() {
      await relay.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
  return relay;
}
