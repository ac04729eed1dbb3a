// Serving an npm package's files as they are, for round-trip tests on
// third-party apps that load their own scripts, styles, icons and fonts
// by URL (TinyMCE's themes and skins, Shoelace's component chunks).

import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.html': 'text/html; charset=utf-8',
};

/**
 * Wraps `serve()` routes so that any path under `prefix` (say
 * `/tinymce/`) answers with the file of that name under `dir`, read when
 * asked for. Paths that leave `dir` are not served.
 */
export function withStatic(routes, prefix, dir) {
  const root = path.resolve(dir);
  const lookup = (key) => {
    if (typeof key !== 'string' || !key.startsWith(prefix)) return undefined;
    const file = path.resolve(root, decodeURIComponent(key.slice(prefix.length)));
    if (!file.startsWith(root + path.sep)) return undefined;
    try {
      if (!fs.statSync(file).isFile()) return undefined;
      return { body: fs.readFileSync(file), type: TYPES[path.extname(file)] ?? 'application/octet-stream' };
    } catch {
      return undefined;
    }
  };
  return new Proxy(routes, {
    get: (target, key) => (key in target ? target[key] : lookup(key)),
    has: (target, key) => key in target || lookup(key) !== undefined,
  });
}
