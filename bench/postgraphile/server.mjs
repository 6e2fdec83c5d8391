// PostGraphile 5 with @graphile/pg-aggregates over the benchmark's PostgreSQL database: the peer
// that bench/run.sh measures dangqun against. Run with the Node 22 binary of the npm package
// `node` (PostGraphile 5 needs Node >= 22):
//   DATABASE_URL=postgres://… PORT=5678 node_modules/.bin/node server.mjs
// The database must hold the peer's adaptations (bench/postgraphile/adapt.sql): they rename the
// `circles` table for PostGraphile (PostgreSQL's type `circle` takes its name), declare the
// city relations dangqun's schema has no foreign keys for, and add the capacity ordering.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PgAggregatesPreset } from "@graphile/pg-aggregates";

const preset = {
  extends: [PostGraphileAmberPreset, PgAggregatesPreset],
  // Every column may be filtered, ordered and grouped by, not only indexed ones: the queries
  // compared need conditions and groups on unindexed columns, as dangqun's do.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: 10 },
    }),
  ],
  grafserv: { graphqlPath: "/graphql", graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
serv.addTo(server).then(
  () =>
    server.listen(Number(process.env.PORT), "127.0.0.1", () =>
      console.log(`postgraphile listening on ${process.env.PORT}`),
    ),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
