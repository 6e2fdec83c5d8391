// Composes Federation v2 subgraphs into a supergraph with
// @theguild/federation-composition.
//
// Usage: node compose.mjs --out <supergraph file> <name>=<url>=<sdl file> [...]
//   <name> is everything before the first "=", <sdl file> everything after
//   the last "=", <url> what lies between (so a URL may contain "=").
//
// Exit status: 0 = composed and written; 1 = composition errors, or hints
// not in ALLOWED_HINT_CODES (nothing is written then); 2 = bad usage or
// unreadable input. Errors and hints go to stderr, one per line:
//   error <CODE>: <message>
//   hint <CODE>: <message>
//
// Note: @theguild/federation-composition 0.27.0 does not produce hints (its
// README: "does not support Hints"); its result has no `hints` field. The
// check below reads `result.hints` anyway so that a future version that
// reports them fails this script instead of being silently ignored.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { composeServices, compositionHasErrors } from "@theguild/federation-composition";
import { parse } from "graphql";

// Hint codes that do not signal a real problem. Every entry needs a comment
// saying why it is harmless for this project. Keep it empty unless a real
// composition run needs an entry.
const ALLOWED_HINT_CODES = new Set([]);

function usage(message) {
  if (message) console.error(`compose: ${message}`);
  console.error("usage: node compose.mjs --out <supergraph file> <name>=<url>=<sdl file> [...]");
  process.exit(2);
}

const oneLine = (text) => String(text).replace(/\s*\n\s*/g, " ").trim();
const codeOf = (e) => e?.extensions?.code ?? e?.code ?? e?.id ?? "UNKNOWN";

const args = process.argv.slice(2);
let out;
const specs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--out") {
    out = args[++i];
    if (!out) usage("--out needs a file");
  } else if (args[i].startsWith("--out=")) {
    out = args[i].slice("--out=".length);
  } else if (args[i] === "-h" || args[i] === "--help") {
    usage();
  } else {
    specs.push(args[i]);
  }
}
if (!out) usage("missing --out <supergraph file>");
if (specs.length === 0) usage("no subgraphs given");

const services = [];
for (const spec of specs) {
  const first = spec.indexOf("=");
  const last = spec.lastIndexOf("=");
  if (first <= 0 || last === first) usage(`expected <name>=<url>=<sdl file>, got "${spec}"`);
  const name = spec.slice(0, first);
  const url = spec.slice(first + 1, last);
  const file = spec.slice(last + 1);
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) usage(`bad subgraph name "${name}"`);
  if (services.some((s) => s.name === name)) usage(`subgraph "${name}" given twice`);
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch {
    usage(`subgraph "${name}": not an http(s) URL: "${url}"`);
  }
  let sdl;
  try {
    sdl = readFileSync(file, "utf8");
  } catch (err) {
    usage(`subgraph "${name}": cannot read ${file}: ${err.message}`);
  }
  let typeDefs;
  try {
    typeDefs = parse(sdl);
  } catch (err) {
    console.error(`error GRAPHQL_PARSE_FAILED: subgraph "${name}" (${file}): ${oneLine(err.message)}`);
    process.exit(1);
  }
  services.push({ name, url, typeDefs });
}

const result = composeServices(services);
let failed = false;

if (compositionHasErrors(result)) {
  for (const e of result.errors) console.error(`error ${codeOf(e)}: ${oneLine(e.message)}`);
  failed = true;
}

for (const h of result.hints ?? []) {
  const code = codeOf(h);
  const allowed = ALLOWED_HINT_CODES.has(code);
  console.error(`hint ${code}: ${oneLine(h.message ?? h.toString())}${allowed ? " (allowed)" : ""}`);
  if (!allowed) failed = true;
}

if (failed || !result.supergraphSdl) {
  console.error(`compose: failed; ${out} not written`);
  process.exit(1);
}

const target = resolve(out);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(`${target}.tmp`, result.supergraphSdl.endsWith("\n") ? result.supergraphSdl : `${result.supergraphSdl}\n`);
renameSync(`${target}.tmp`, target);
console.error(`compose: ${services.map((s) => s.name).join(", ")} -> ${out}`);
