// Hive Gateway configuration for the federation tests.
//
// gateway.mjs passes this file explicitly (--config-path). It also matters
// when hive-gateway is run by hand from this directory: without
// --config-path the CLI imports the first of gateway.config.{ts,mts,cts,js,
// mjs,cjs}, gateway.{...}, mesh.config.{...} it finds in the current
// directory, and this file keeps it from importing the gateway.mjs wrapper.
//
// Nothing here calls out: no `reporting` (Hive / GraphOS usage reporting),
// no `openTelemetry`, no `persistedDocuments`, and the supergraph is a local
// file (not Hive CDN / GraphOS uplink). The wrapper also drops the
// environment variables the CLI would read to switch those on.
export const gatewayConfig = {
  // No GraphiQL / Laboratory page (its HTML would make a browser load
  // assets from CDNs); tests only POST to /graphql.
  graphiql: false,
  landingPage: false,
};
