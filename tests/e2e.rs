//! End-to-end tests: the real service on a random loopback port, driven over HTTP.
//!
//! - `queries`: every `tests/queries/*.graphql` against its expected `*.json`, and README's examples
//!   (`UPDATE_EXPECT=1` rewrites the expectations; review the diff).
//! - `honesty`: unknown is not closed: `openAt` per center against the `openAt` filter.
//! - `http`: the HTTP surface — bad requests, GET, GraphiQL offline, health.
//! - `persisted`: automatic persisted queries and a safelist.
//! - `protocol`: GraphQL over HTTP — media types from `Accept`, status codes, GET for queries only,
//!   the `graphql-http` audit (`tests/graphql-http`), keys in selection order, identical bytes.
//! - `limits`: cost, depth, aliases, root fields, directives and tokens refused before any SQL;
//!   a request asking for its measured cost.
//! - `observability`: `/metrics`, request ids, JSON logs carrying them.
//! - `overload`: the real `dangqun serve` binary shedding with 503, timing out, rate-limiting with
//!   429, and staying up and small under a load far past capacity.
//! - `page`: the comparison page in headless Chromium: a row per city, drawn bars, no error,
//!   a figure to its sentence in the article; screenshots kept in `target/test-artefacts/`.
//! - `pagination`: walking cursors across districts.
//! - `large`: filters and orderings walked over a generated dataset of several pages per district.
//! - `batching`: exact SQL statements per request: one per level, table and database.
//! - `compiled`: plain trees of lists in one statement per database, byte for byte the
//!   resolvers' answer; what the compiler does not know goes to the resolvers.
//! - `compare`: every figure of `compare` recomputed from the datasets.
//! - `cli`: `dangqun import` and `export-schema`; the committed `schema.graphql` is current.
//! - `districts`: a PostgreSQL district stopped and restarted mid-test, a district slower than its
//!   timeout, districts that cannot be reached: partial answers, `/health` and `/ready`.
//! - `new_city`: a fifth city from `dangqun new-city`'s scaffold and a made-up article
//!   (`tests/fixture-city/`), checked, imported and queried next to the real four.
//! - `provenance`: each city's dataset version on `City`, in `Query.about` and `/health`.
//! - `outage`: one district down under every root field: the others' data and one
//!   `DISTRICT_UNAVAILABLE` naming the city.
//! - `export`: `/export/*.csv|ndjson` and `dangqun export`, read back with a CSV parser and
//!   compared with the GraphQL lists.
//! - `federation`: the Apollo Federation subgraph: its SDL, `_entities` one statement per table and database.
//! - `fuzz`: bounded proptest runs over bodies, headers and documents: no 5xx, no hang; a
//!   megabyte of `{` and deep nesting refused at once.
//! - `gateway`: composed with a second subgraph (`tests/federation/`) and queried through Hive
//!   Gateway.
//! - `serve`: the real binary: a file, the environment and flags together, a district's own
//!   timeout, cursors signed with a random secret, a graceful stop on SIGTERM.
//! - `imports`: importers killed with SIGKILL at random points (SQLite and PostgreSQL), `import
//!   --database`, `copy` from SQLite to PostgreSQL, bad database settings.
//!
//! - `web`: what browsers and caches see — CORS (a page on another origin in headless Chromium),
//!   ETag / `If-None-Match` / `Cache-Control`, gzip and br.
//! - `synth`: synthetic cities: deterministic, never written next to real ones, served by
//!   database (40 cities in 4 databases cost what 4 cost).
//!
//! `DANGQUN_TEST_BACKEND` (`sqlite`, `postgres`, `mixed`) sets where the test servers' districts
//! live; `tests/run.sh` runs the suite once with each, against a throwaway PostgreSQL 15
//! (`pg`). Tests that need PostgreSQL fail, never skip, without one.

#[path = "e2e/pg.rs"]
mod pg;
#[path = "e2e/serve.rs"]
mod serve;
#[path = "e2e/support.rs"]
mod support;

#[path = "e2e/batching.rs"]
mod batching;
#[path = "e2e/cli.rs"]
mod cli;
#[path = "e2e/compare.rs"]
mod compare;
#[path = "e2e/compiled.rs"]
mod compiled;
#[path = "e2e/districts.rs"]
mod districts;
#[path = "e2e/export.rs"]
mod export;
#[path = "e2e/federation.rs"]
mod federation;
#[path = "e2e/fuzz.rs"]
mod fuzz;
#[path = "e2e/gateway.rs"]
mod gateway;
#[path = "e2e/honesty.rs"]
mod honesty;
#[path = "e2e/http.rs"]
mod http;
#[path = "e2e/imports.rs"]
mod imports;
#[path = "e2e/large.rs"]
mod large;
#[path = "e2e/limits.rs"]
mod limits;
#[path = "e2e/new_city.rs"]
mod new_city;
#[path = "e2e/observability.rs"]
mod observability;
#[path = "e2e/outage.rs"]
mod outage;
#[path = "e2e/overload.rs"]
mod overload;
#[path = "e2e/page.rs"]
mod page;
#[path = "e2e/pagination.rs"]
mod pagination;
#[path = "e2e/persisted.rs"]
mod persisted;
#[path = "e2e/protocol.rs"]
mod protocol;
#[path = "e2e/provenance.rs"]
mod provenance;
#[path = "e2e/queries.rs"]
mod queries;
#[path = "e2e/synth.rs"]
mod synth;
#[path = "e2e/web.rs"]
mod web;
