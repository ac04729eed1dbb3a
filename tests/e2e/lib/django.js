// A throwaway Django project for the round trip on Django's admin (a real
// server-rendered multi-page app from PyPI): startproject in a temporary
// folder, SQLite, migrate, a superuser, `runserver` on 127.0.0.1 and a
// free port. Django is the version pinned in scripts/lib/setup.sh, in the
// project's virtualenv target/pytools, installed by `ensure_django` there
// when missing.

import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './browser.js';
import { freePort } from './server.js';
import { waitFor } from './wait.js';

const VENV = path.join(REPO_ROOT, 'target/pytools');
const PYTHON = path.join(VENV, 'bin/python');

function run(cmd, args, { env = {}, cwd, timeout = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The Django version scripts/lib/setup.sh pins. */
async function pinnedVersion() {
  const setup = await fs.readFile(path.join(REPO_ROOT, 'scripts/lib/setup.sh'), 'utf8');
  const m = setup.match(/^DJANGO_VERSION=(\S+)$/m);
  if (!m) throw new Error('DJANGO_VERSION not found in scripts/lib/setup.sh');
  return m[1];
}

/** Installs the pinned Django into target/pytools unless it is there. */
export async function ensureDjango() {
  const want = await pinnedVersion();
  const have = await run(PYTHON, ['-c', 'import django; print(django.get_version())']).then((s) => s.trim(), () => null);
  if (have !== want) {
    await run('bash', ['-c', 'set -euo pipefail; source scripts/lib/setup.sh; ensure_django'], { cwd: REPO_ROOT, timeout: 300_000 });
  }
  return want;
}


/**
 * Starts a fresh project with a superuser `admin` whose password is
 * random (returned; the test types it and must never find it recorded).
 * `close()` stops the server and deletes the project.
 */
export async function startDjango() {
  const version = await ensureDjango();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clawtrail-django-'));
  let child;
  try {
    await run(PYTHON, ['-m', 'django', 'startproject', 'clawtrailsite', dir]);
    const manage = (args, env) => run(PYTHON, [path.join(dir, 'manage.py'), ...args], { cwd: dir, env });
    await manage(['migrate', '--noinput']);
    const password = `pw-${crypto.randomBytes(12).toString('base64url')}`;
    await manage(['createsuperuser', '--noinput', '--username', 'admin', '--email', 'admin@example.com'], {
      DJANGO_SUPERUSER_PASSWORD: password,
    });
    const port = await freePort();
    let log = '';
    child = spawn(PYTHON, [path.join(dir, 'manage.py'), 'runserver', `127.0.0.1:${port}`, '--noreload'], {
      cwd: dir,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    const origin = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${origin}/admin/login/`)).status === 200, {
      timeout: 30_000,
      what: `Django at ${origin} (log: ${log})`,
    });
    const server = child;
    return {
      version,
      origin,
      password,
      url: (p) => `${origin}${p}`,
      log: () => log,
      /** Runs Python in the project (`manage.py shell -c`); returns its stdout. */
      shell: (code) => manage(['shell', '-c', code]),
      /** The names of every auth Group in the database, sorted. */
      async groups() {
        const out = await manage(['shell', '-c',
          'import json; from django.contrib.auth.models import Group; '
          + 'print(json.dumps(sorted(Group.objects.values_list("name", flat=True))))']);
        return JSON.parse(out.trim().split('\n').at(-1));
      },
      async close() {
        if (server.exitCode === null) {
          const exited = new Promise((r) => server.once('exit', r));
          server.kill('SIGTERM');
          await exited;
        }
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    child?.kill('SIGTERM');
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
}
