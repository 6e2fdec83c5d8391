//! dangqun's shared GraphQL schema. `graphql` is the only crate that knows async-graphql; it never
//! names a concrete city: the server hands it the districts, and every list is a fan-out across
//! them with DataLoaders batching each level into one statement per district.

mod compare;
mod connection;
mod enums;
mod error;
mod federation;
mod inputs;
mod loader;
mod query;
mod search;
mod types;

pub use connection::CursorKey;
pub use error::codes;
pub use query::Query;

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    Context, EmptyMutation, EmptySubscription, SDLExportOptions, Schema, SchemaBuilder,
};
use federation::{FederatedQuery, PlainQuery};
use loader::StoreLoader;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use store::{District, StoreError};

/// The districts, in the order the service lists them, and the ones that failed during the
/// current request (a request-scoped copy is made for each request: see [`execute`]).
#[derive(Debug, Clone)]
pub struct Districts {
    list: Vec<District>,
    outages: Arc<Mutex<HashMap<String, Arc<StoreError>>>>,
}

impl Districts {
    pub fn new(list: Vec<District>) -> Self {
        Self {
            list,
            outages: Arc::default(),
        }
    }

    pub fn list(&self) -> &[District] {
        &self.list
    }

    /// Position of the district serving `city`.
    pub fn index_of(&self, city: &str) -> Option<usize> {
        self.list.iter().position(|d| d.city() == city)
    }

    /// Position of the district an id belongs to: ids are prefixed by their city (`korla/…`,
    /// `korla#…`, or the city id itself).
    pub fn index_of_id(&self, id: &str) -> Option<usize> {
        let city = id.split(['/', '#']).next().unwrap_or(id);
        self.index_of(city)
    }

    /// Runs `work` against `district`, unless the district already proved unavailable in this
    /// request: then it fails at once with that failure instead of waiting out another timeout.
    pub(crate) async fn attempt<T>(
        &self,
        district: &District,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, Arc<StoreError>> {
        let known = self
            .outages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(district.city())
            .cloned();
        if let Some(failure) = known {
            return Err(failure);
        }
        work.await.map_err(|e| {
            let e = Arc::new(e);
            if e.is_unavailable() {
                self.outages
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(district.city().to_owned(), e.clone());
            }
            e
        })
    }

    /// Runs `work` in each of the `selected` districts concurrently. A district that fails gives
    /// `None` and its failure is reported as an error of the current field; the others' answers
    /// are kept, in the order of `selected`.
    pub(crate) async fn fan_out<'a, T, F>(
        &'a self,
        ctx: &Context<'_>,
        selected: &[usize],
        work: impl Fn(usize, &'a District) -> F,
    ) -> Vec<Option<T>>
    where
        F: Future<Output = Result<T, StoreError>> + 'a,
    {
        let results = futures::future::join_all(selected.iter().map(|&i| {
            let district = &self.list[i];
            self.attempt(district, work(i, district))
        }))
        .await;
        results
            .into_iter()
            .map(|r| r.map_err(|e| error::report(ctx, e, None)).ok())
            .collect()
    }

    /// The same districts with fresh outages, each counting its statements into `counter`.
    fn for_request(&self, counter: &Arc<AtomicU64>) -> Self {
        Self::new(
            self.list
                .iter()
                .map(|d| d.counting_into(counter.clone()))
                .collect(),
        )
    }
}

/// Limits that keep one query from costing the service too much.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // The deepest useful query (cities → circles → centers → rooms → equipment → tag, with
        // citations → source) is 9 levels deep.
        Self {
            max_depth: 16,
            max_complexity: 20_000,
        }
    }
}

/// The schema, with or without the federation fields (see [`federation`]).
#[derive(Clone)]
pub struct DangqunSchema {
    inner: Variant,
    districts: Arc<Districts>,
}

#[derive(Clone)]
enum Variant {
    Plain(Schema<PlainQuery, EmptyMutation, EmptySubscription>),
    Federated(Schema<FederatedQuery, EmptyMutation, EmptySubscription>),
}

impl DangqunSchema {
    /// The districts the schema serves.
    pub fn districts(&self) -> &Arc<Districts> {
        &self.districts
    }

    /// The schema's SDL: plain, or in federation form (what `_service { sdl }` returns).
    pub fn sdl(&self) -> String {
        match &self.inner {
            Variant::Plain(s) => s.sdl(),
            Variant::Federated(s) => {
                s.sdl_with_options(SDLExportOptions::new().federation().compose_directive())
            }
        }
    }

    async fn run(&self, request: async_graphql::Request) -> async_graphql::Response {
        match &self.inner {
            Variant::Plain(s) => s.execute(request).await,
            Variant::Federated(s) => s.execute(request).await,
        }
    }
}

/// Builds the schema over `districts`; cursors are signed with `cursor_key`. With `federation`,
/// the schema is an Apollo Federation v2 subgraph (`_entities`, `_service`).
pub fn build_schema(
    districts: Arc<Districts>,
    limits: Limits,
    cursor_key: CursorKey,
    federation: bool,
) -> DangqunSchema {
    // The districts are not schema data: `execute` hands each request its own copy.
    fn finish<Q: async_graphql::ObjectType + 'static>(
        builder: SchemaBuilder<Q, EmptyMutation, EmptySubscription>,
        limits: Limits,
        cursor_key: CursorKey,
    ) -> Schema<Q, EmptyMutation, EmptySubscription> {
        builder
            .data(cursor_key)
            .limit_depth(limits.max_depth)
            .limit_complexity(limits.max_complexity)
            .limit_recursive_depth(32)
            .finish()
    }
    let inner = if federation {
        Variant::Federated(finish(
            Schema::build(FederatedQuery::default(), EmptyMutation, EmptySubscription)
                .enable_federation(),
            limits,
            cursor_key,
        ))
    } else {
        Variant::Plain(finish(
            Schema::build(PlainQuery::default(), EmptyMutation, EmptySubscription),
            limits,
            cursor_key,
        ))
    };
    DangqunSchema { inner, districts }
}

/// The schema as SDL, for `schema.graphql`. Needs no database.
pub fn sdl() -> String {
    empty_schema(false).sdl()
}

/// The federation SDL, for `schema.federation.graphql`: exactly what `_service { sdl }` returns.
pub fn federation_sdl() -> String {
    empty_schema(true).sdl()
}

fn empty_schema(federation: bool) -> DangqunSchema {
    build_schema(
        Arc::new(Districts::new(Vec::new())),
        Limits::default(),
        CursorKey(Vec::new()),
        federation,
    )
}

/// How long a DataLoader waits before taking a batch.
///
/// A batch must hold every key of one level. async-graphql takes the batch when a timer task it
/// spawns wakes; the request task enqueues a level's keys while yielding to the executor now and
/// then (futures-util's `FuturesUnordered` yields after two self-woken children), so a zero delay
/// splits levels into batches of two. On the current-thread runtime `dangqun` uses (see
/// `server::runtime`), the delay only has to outlast the wall time of enqueuing one level.
/// Measured with the e2e batching test, both cores saturated by other processes: 1 ms split a batch
/// in about 1 run in 4 (29 statements for a bound of 28); 3 ms, 0 in 24 runs. The cost is 3 ms per
/// level of nesting.
pub const BATCH_DELAY: std::time::Duration = std::time::Duration::from_millis(3);

/// A request's answer, and how many SQL statements it cost.
pub struct Executed {
    pub response: async_graphql::Response,
    /// Statements run for this request, across every district.
    pub statements: u64,
}

/// Runs one GraphQL request with a fresh DataLoader (loaders cache per request, never across)
/// and a fresh statement counter. Drive it from a current-thread tokio runtime, as `dangqun`
/// does (see [`BATCH_DELAY`]).
pub async fn execute(schema: &DangqunSchema, request: async_graphql::Request) -> Executed {
    if let Err(e) = async_graphql::parser::parse_query(&request.query) {
        let error = async_graphql::ServerError::new(format!("the query does not parse: {e}"), None);
        return Executed {
            response: error::with_codes(
                async_graphql::Response::from_errors(vec![error]),
                codes::PARSE_FAILED,
            ),
            statements: 0,
        };
    }
    let counter = Arc::new(AtomicU64::new(0));
    let districts = Arc::new(schema.districts.for_request(&counter));
    let loader = DataLoader::new(
        StoreLoader {
            districts: districts.clone(),
        },
        tokio::spawn,
    )
    .delay(BATCH_DELAY);
    let response = schema.run(request.data(districts).data(loader)).await;
    Executed {
        response: error::one_outage_per_city(error::with_codes(response, codes::VALIDATION_FAILED)),
        statements: counter.load(Ordering::Relaxed),
    }
}
