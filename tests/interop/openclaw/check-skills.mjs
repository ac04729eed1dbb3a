// Checks what OpenClaw itself says about the skills in its managed skills
// folder, from the JSON of `openclaw skills list --json` and `openclaw skills
// check --json`:
//
//   - every exported clawtrail skill is listed from that folder, eligible
//     ("ready"), not disabled or blocked, visible to the model, with no
//     missing requirement, and with the description our SKILL.md frontmatter
//     carries (so OpenClaw's YAML reading of our JSON-quoted scalars gives
//     back the same text, escapes included);
//   - every negative control is NOT ready: invalid ones are not listed at
//     all (and OpenClaw's stderr says it skipped them), the one with a
//     missing requirement is listed as not eligible.
//
// Usage: node check-skills.mjs SKILLS_DIR LIST.json CHECK.json STDERR.txt \
//          --ready a,b --invalid c,d --missing e
import { readFile } from "node:fs/promises";
import path from "node:path";

const [skillsDir, listFile, checkFile, stderrFile, ...rest] = process.argv.slice(2);
const opts = { ready: [], invalid: [], missing: [] };
for (let i = 0; i < rest.length; i += 2) {
  const key = rest[i].replace(/^--/, "");
  if (!(key in opts) || rest[i + 1] === undefined) {
    console.error(`check-skills: bad argument ${rest[i]}`);
    process.exit(2);
  }
  opts[key] = rest[i + 1].split(",").filter(Boolean);
}
if (!stderrFile || opts.ready.length === 0) {
  console.error("usage: check-skills.mjs SKILLS_DIR LIST.json CHECK.json STDERR.txt --ready a,b [--invalid c] [--missing d]");
  process.exit(2);
}

const list = JSON.parse(await readFile(listFile, "utf8"));
const check = JSON.parse(await readFile(checkFile, "utf8"));
const stderr = await readFile(stderrFile, "utf8");
const errors = [];
const fail = (msg) => errors.push(msg);

if (path.resolve(list.managedSkillsDir) !== path.resolve(skillsDir)) {
  fail(`openclaw scans ${list.managedSkillsDir}, not ${skillsDir}: the isolated HOME did not take`);
}
const byName = new Map(list.skills.map((s) => [s.name, s]));
const eligible = new Set(check.eligible);
const missingReq = new Map(check.missingRequirements.map((m) => [m.name, m.missing]));

/** The `description:` of our SKILL.md, read as the JSON string we wrote. */
async function ourDescription(name) {
  const text = await readFile(path.join(skillsDir, name, "SKILL.md"), "utf8");
  const line = text.split("\n").find((l) => l.startsWith("description: "));
  if (!line) throw new Error(`${name}/SKILL.md has no description line`);
  return JSON.parse(line.slice("description: ".length));
}

const noneMissing = (m) => Object.values(m ?? {}).every((v) => Array.isArray(v) && v.length === 0);

for (const name of opts.ready) {
  const s = byName.get(name);
  if (!s) {
    fail(`${name}: not listed by openclaw skills list`);
    continue;
  }
  const problems = [];
  if (s.source !== "openclaw-managed") problems.push(`source ${s.source}, expected openclaw-managed`);
  if (s.eligible !== true) problems.push("not eligible");
  if (s.disabled || s.blockedByAllowlist || s.blockedByAgentFilter) problems.push("disabled or blocked");
  if (s.modelVisible !== true) problems.push("not visible to the model");
  if (!noneMissing(s.missing)) problems.push(`missing ${JSON.stringify(s.missing)}`);
  if (!eligible.has(name)) problems.push("absent from skills check's eligible list");
  if (missingReq.has(name)) problems.push("in skills check's missingRequirements");
  const want = await ourDescription(name);
  if (s.description !== want) {
    problems.push(`description read as ${JSON.stringify(s.description)}, SKILL.md says ${JSON.stringify(want)}`);
  }
  if (problems.length) fail(`${name}: ${problems.join("; ")}`);
  else console.log(`  ready: ${name}`);
}

for (const name of opts.invalid) {
  if (byName.has(name) || eligible.has(name)) fail(`negative control ${name}: listed although its SKILL.md is invalid`);
  else if (!stderr.includes(`skills/${name}/SKILL.md`)) fail(`negative control ${name}: openclaw did not report skipping it`);
  else console.log(`  refused (invalid): ${name}`);
}
for (const name of opts.missing) {
  const s = byName.get(name);
  if (!s) fail(`negative control ${name}: not listed at all (expected: listed, not ready)`);
  else if (s.eligible !== false || eligible.has(name) || !missingReq.has(name)) {
    fail(`negative control ${name}: listed as ready despite a missing requirement`);
  } else console.log(`  not ready (missing ${JSON.stringify(s.missing.bins)}): ${name}`);
}

if (errors.length) {
  for (const e of errors) console.error(`check-skills: ${e}`);
  process.exit(1);
}
console.log(
  `check-skills: ${opts.ready.length} exported skills ready; ` +
    `${opts.invalid.length + opts.missing.length} negative controls not ready`,
);
