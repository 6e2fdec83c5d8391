// Runs the Hive Gateway CLI over a supergraph file, on 127.0.0.1 only.
//
// Usage: node gateway.mjs <supergraph file> <port>     (port 0 = a free port)
//
// Runs: hive-gateway supergraph <file> --host 127.0.0.1 --port <port>
//         --config-path gateway.config.mjs --fork 1
// with a scrubbed environment, waits until GET /readiness answers 200 (the
// supergraph is loaded), then prints exactly one first stdout line:
//   listening on http://127.0.0.1:<port>/graphql
// The gateway's own logs go to stderr. SIGTERM / SIGINT are passed on to the
// gateway; this exits 0 once it has stopped. If the gateway exits by itself,
// or is not ready within READY_TIMEOUT_MS, this exits 1. If this wrapper is
// killed outright (SIGKILL), the gateway notices and stops too.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, "node_modules", "@graphql-hive", "gateway", "dist", "bin.js");

const [supergraphArg, portArg] = process.argv.slice(2);
if (!supergraphArg || portArg === undefined || !/^\d+$/.test(portArg) || Number(portArg) > 65535) {
  console.error("usage: node gateway.mjs <supergraph file> <port>   (port 0 = a free port)");
  process.exit(2);
}
const supergraph = resolve(supergraphArg);
if (!existsSync(supergraph)) {
  console.error(`gateway: no such supergraph file: ${supergraph}`);
  process.exit(2);
}
if (!existsSync(bin)) {
  console.error(`gateway: ${bin} is missing; run: npm ci --prefix ${here}`);
  process.exit(2);
}

// Port 0: ask the OS for a free port, release it, hand it to the gateway
// (hive-gateway does not report the port it bound). There is a small race
// with other processes grabbing the same port in between.
function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}
const port = Number(portArg) === 0 ? await freePort() : Number(portArg);
const base = `http://127.0.0.1:${port}`;

// hive-gateway reads many settings from the environment (HOST, PORT, FORK,
// POLLING, CONFIG_PATH, HIVE_*, APOLLO_*, OPENTELEMETRY*, OTEL_*, AWS_*,
// JIT, HIVE_ROUTER_RUNTIME, ...), some of which turn on calls to Hive Cloud,
// Apollo GraphOS or a tracing collector. Pass only a short allow-list.
const KEEP_ENV = ["PATH", "HOME", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "LOG_LEVEL", "DEBUG"];
const env = {};
for (const k of KEEP_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
env.NO_COLOR = "1"; // plain log lines on stderr

// Preloaded into the gateway process: its stdin is a pipe from this wrapper,
// so EOF there means the wrapper is gone (even by SIGKILL, which it cannot
// pass on); the gateway then stops itself instead of lingering on the port.
const exitWithParent = [
  'const bye = () => { process.kill(process.pid, "SIGTERM"); setTimeout(() => process.exit(1), 10000).unref(); };',
  'process.stdin.on("end", bye); process.stdin.on("error", bye); process.stdin.resume(); process.stdin.unref();',
].join("\n");

const child = spawn(
  process.execPath,
  [
    "--import", `data:text/javascript,${encodeURIComponent(exitWithParent)}`,
    bin,
    "supergraph", supergraph,
    "--host", "127.0.0.1",
    "--port", String(port),
    "--config-path", join(here, "gateway.config.mjs"),
    "--fork", "1",
  ],
  { cwd: here, env, stdio: ["pipe", "pipe", "pipe"] },
);
// Keep our stdout for the single "listening on" line.
child.stdout.pipe(process.stderr);
child.stderr.pipe(process.stderr);

let stopping = false;
let ready = false;
let timedOut = false;
child.on("exit", (code, signal) => {
  if (stopping) process.exit(timedOut ? 1 : 0);
  console.error(`gateway: hive-gateway exited (${signal ?? `code ${code}`})${ready ? "" : " before it was ready"}`);
  process.exit(1);
});

function stop() {
  if (stopping) return;
  stopping = true;
  if (child.exitCode !== null || child.signalCode !== null) process.exit(timedOut ? 1 : 0);
  child.kill("SIGTERM");
  setTimeout(() => {
    console.error("gateway: hive-gateway did not stop on SIGTERM; killing it");
    child.kill("SIGKILL");
  }, STOP_TIMEOUT_MS).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

const deadline = Date.now() + READY_TIMEOUT_MS;
while (!stopping) {
  try {
    const res = await fetch(`${base}/readiness`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    if (res.status === 200) break;
  } catch {
    // not listening yet
  }
  if (Date.now() > deadline) {
    console.error(`gateway: not ready after ${READY_TIMEOUT_MS} ms (GET ${base}/readiness)`);
    timedOut = true;
    stop();
    break;
  }
  await new Promise((r) => setTimeout(r, 100));
}
if (!stopping) {
  ready = true;
  process.stdout.write(`listening on ${base}/graphql\n`);
}
