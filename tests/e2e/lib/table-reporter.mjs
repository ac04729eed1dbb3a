// node:test reporter for scripts/replay-table: one JSON line per finished
// test, {file, test, ok}. Suites (describe) are left out.
import path from 'node:path';

export default async function* tableReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const d = event.data;
    if (d.details?.type === 'suite' || !d.file) continue;
    const skipped = Boolean(d.skip);
    yield `${JSON.stringify({ file: path.basename(d.file), test: d.name, ok: event.type === 'test:pass' && !skipped, skipped })}\n`;
  }
}
