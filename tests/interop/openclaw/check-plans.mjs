// Checks exported batch plans (references/plan-NN.json) with OpenClaw's own
// act-request parser: the `normalizeActRequest` that the browser control
// route runs on every `POST /act` body (what `openclaw browser batch
// --actions-file` sends, wrapped as {kind: "batch", actions}).
//
// The parser is not exported from its bundle chunk, so this loads a copy of
// that chunk, unchanged except for one added export line, placed beside the
// original so its relative imports resolve. The copy lives in the private
// install under target/interop/, never in a global one.
//
// The parser silently drops fields it does not know, so a renamed field
// (`timeout` for `timeoutMs`) would pass a plain "does it throw" check. Each
// action must therefore come back from the parser unchanged: same keys, same
// values. Deliberately broken plans must be rejected, so a parser that
// accepts everything cannot make this check pass.
//
// Usage: node check-plans.mjs OPENCLAW_PACKAGE_DIR PLAN.json...
import { readdir, readFile, writeFile } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pkgDir, ...planFiles] = process.argv.slice(2);
if (!pkgDir || planFiles.length === 0) {
  console.error("usage: check-plans.mjs OPENCLAW_PACKAGE_DIR PLAN.json...");
  process.exit(2);
}

const REGION = "//#region extensions/browser/src/browser/routes/agent.act.normalize.ts";
const FUNCTION = "function normalizeActRequest(body, options)";

async function loadParser() {
  const dist = path.join(pkgDir, "dist");
  let chunk;
  for (const name of await readdir(dist)) {
    if (!name.endsWith(".mjs") || name.startsWith(".clawtrail")) continue;
    const text = await readFile(path.join(dist, name), "utf8");
    if (text.includes(REGION) && text.includes(FUNCTION)) {
      chunk = { name, text };
      break;
    }
  }
  if (!chunk) {
    throw new Error(`no chunk in ${dist} defines ${FUNCTION} (has openclaw changed its bundle?)`);
  }
  const copy = path.join(dist, ".clawtrail-interop-act-normalize.mjs");
  await writeFile(copy, `${chunk.text}\nexport { normalizeActRequest as clawtrailNormalizeActRequest };\n`);
  const mod = await import(pathToFileURL(copy).href);
  return { normalize: mod.clawtrailNormalizeActRequest, chunk: chunk.name };
}

const { normalize, chunk } = await loadParser();

/** The problems OpenClaw's parser finds in one plan (an array of actions). */
function problems(actions) {
  if (!Array.isArray(actions) || actions.length === 0) {
    return ["a plan must be a non-empty JSON array (openclaw browser batch refuses anything else)"];
  }
  let normalized;
  try {
    normalized = normalize({ kind: "batch", actions });
  } catch (err) {
    return [`rejected by normalizeActRequest: ${err.message}`];
  }
  const out = [];
  actions.forEach((action, i) => {
    const back = normalized.actions[i];
    if (!isDeepStrictEqual(back, action)) {
      out.push(
        `action ${i + 1} changed by the parser (unknown field or value): ` +
          `sent ${JSON.stringify(action)}, parsed ${JSON.stringify(back)}`,
      );
    }
  });
  return out;
}

let failed = false;
let count = 0;
for (const file of planFiles) {
  const actions = JSON.parse(await readFile(file, "utf8"));
  const found = problems(actions);
  if (found.length) {
    failed = true;
    for (const p of found) console.error(`check-plans: ${file}: ${p}`);
  } else {
    count += actions.length;
  }
}

// Negative controls: each must be refused.
const broken = {
  "a navigate kind (there is none)": [{ kind: "navigate", url: "https://example.com/" }],
  "a type without text": [{ kind: "type", selector: "css=#q" }],
  "timeout instead of timeoutMs": [{ kind: "wait", url: "https://example.com/**", timeout: 15000 }],
  "a press with a selector field": [{ kind: "press", selector: "css=#q", key: "Enter" }],
  "101 actions": Array.from({ length: 101 }, () => ({ kind: "press", key: "Tab" })),
};
for (const [what, actions] of Object.entries(broken)) {
  if (problems(actions).length === 0) {
    failed = true;
    console.error(`check-plans: OpenClaw's parser accepted a broken plan: ${what}`);
  }
}

if (failed) process.exit(1);
console.log(
  `check-plans: ${planFiles.length} plans, ${count} actions parsed unchanged by openclaw's ` +
    `normalizeActRequest (dist/${chunk}); ${Object.keys(broken).length} broken plans refused`,
);
