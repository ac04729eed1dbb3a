// Parses a DevTools Recorder flow with @puppeteer/replay's own parse().
//
//   node parse-flow.mjs FLOW.json                  must parse
//   node parse-flow.mjs --expect-reject FLOW.json  the flow with offsetX
//                                                  removed from its first
//                                                  click must NOT parse
import { readFileSync } from 'node:fs';
import { parse } from '@puppeteer/replay';

const args = process.argv.slice(2);
const expectReject = args[0] === '--expect-reject';
const file = expectReject ? args[1] : args[0];
const json = JSON.parse(readFileSync(file, 'utf8'));

if (expectReject) {
  const click = json.steps.find((s) => s.type === 'click');
  delete click.offsetX;
  try {
    parse(json);
  } catch {
    process.exit(0);
  }
  console.error(`${file}: parse() accepted a click without offsetX`);
  process.exit(1);
}

const flow = parse(json);
if (flow.title !== json.title || flow.steps.length !== json.steps.length) {
  console.error(`${file}: parse() changed the flow (${flow.steps.length} of ${json.steps.length} steps)`);
  process.exit(1);
}
console.log(`${file}: ${flow.steps.length} steps parse`);
