// The "stats" fixture subgraph: extends dangqun's City entity with
// `statsFixture`, whose values are obviously synthetic, and offers
// `fixtureCities`, bare City references the gateway resolves through
// dangqun's `_entities`.
//
// Usage: node stats-subgraph.mjs [port]      (0 or absent = a free port)
// Listens on 127.0.0.1 only. The first stdout line, printed once the server
// is accepting connections, is exactly:
//   listening on http://127.0.0.1:<port>/graphql
// Logs go to stderr. SIGTERM / SIGINT close the server and exit 0.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { createYoga } from "graphql-yoga";

const portArg = process.argv[2] ?? "0";
const port = Number(portArg);
if (!/^\d+$/.test(portArg) || port > 65535) {
  console.error(`usage: node stats-subgraph.mjs [port]   (got port "${portArg}")`);
  process.exit(2);
}

const typeDefs = parse(readFileSync(new URL("./stats.graphql", import.meta.url), "utf8"));

// City ids that dangqun serves; only references, the rest comes from dangqun.
const FIXTURE_CITY_IDS = ["jinshan", "korla"];

const resolvers = {
  Query: {
    fixtureCities: () => FIXTURE_CITY_IDS.map((id) => ({ id })),
  },
  City: {
    // The gateway sends a representation { __typename: "City", id }.
    __resolveReference: ({ id }) => ({ id }),
    statsFixture: ({ id }) => ({
      bureauCode: "TEST-" + String(id).toUpperCase(),
      note: "test fixture, not a statistic",
    }),
  },
};

const toStderr = (...args) => console.error(...args);
const yoga = createYoga({
  schema: buildSubgraphSchema([{ typeDefs, resolvers }]),
  graphqlEndpoint: "/graphql",
  graphiql: false,
  landingPage: false,
  // Keep stdout for the single "listening on" line.
  logging: { debug() {}, info: toStderr, warn: toStderr, error: toStderr },
});

const server = createServer(yoga);
server.on("error", (err) => {
  console.error(`stats subgraph: ${err.message}`);
  process.exit(1);
});
server.listen(port, "127.0.0.1", () => {
  const { port: actual } = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${actual}/graphql\n`);
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
