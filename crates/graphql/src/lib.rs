//! dangqun's shared GraphQL schema. `graphql` is the only crate that knows async-graphql; it never
//! names a concrete city: the server hands it the districts, and every list is a fan-out across
//! them, with reads batched by rounds into one statement per table and database (see `batch`).

mod batch;
mod compare;
mod compile;
mod connection;
pub mod cost;
mod enums;
mod error;
mod federation;
mod inputs;
mod query;
mod render;
mod search;
mod types;

pub use connection::CursorKey;
pub use error::codes;
pub use query::Query;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition};
use async_graphql::{
    Context, EmptyMutation, EmptySubscription, SDLExportOptions, Schema, SchemaBuilder,
};
use federation::{FederatedQuery, PlainQuery};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use store::{District, StoreError};

/// The districts, in the order the service lists them, which of them share a database, and the
/// ones that failed during the current request (a request-scoped copy is made for each request:
/// see [`execute`]).
#[derive(Debug, Clone)]
pub struct Districts {
    list: Vec<District>,
    /// For each district, the number of its database: districts whose cities share a database
    /// share the number, and one statement reads them together.
    database: Arc<Vec<usize>>,
    by_city: Arc<HashMap<String, usize>>,
    outages: Arc<Mutex<HashMap<String, Arc<StoreError>>>>,
}

impl Districts {
    pub fn new(list: Vec<District>) -> Self {
        let mut database: Vec<usize> = Vec::with_capacity(list.len());
        for (i, d) in list.iter().enumerate() {
            let shared = list[..i].iter().position(|e| e.shares_database_with(d));
            database.push(shared.map_or(i, |j| database[j]));
        }
        let by_city = list
            .iter()
            .enumerate()
            .map(|(i, d)| (d.city().to_owned(), i))
            .collect();
        Self {
            list,
            database: Arc::new(database),
            by_city: Arc::new(by_city),
            outages: Arc::default(),
        }
    }

    pub fn list(&self) -> &[District] {
        &self.list
    }

    /// Position of the district serving `city`.
    pub fn index_of(&self, city: &str) -> Option<usize> {
        self.by_city.get(city).copied()
    }

    /// Position of the district an id belongs to: ids are prefixed by their city (`korla/…`,
    /// `korla#…`, or the city id itself).
    pub fn index_of_id(&self, id: &str) -> Option<usize> {
        let city = id.split(['/', '#']).next().unwrap_or(id);
        self.index_of(city)
    }

    /// The number of the database of the district at `index`.
    pub(crate) fn database_of(&self, index: usize) -> usize {
        self.database[index]
    }

    /// The number of the database holding the city an id belongs to.
    pub(crate) fn database_of_id(&self, id: &str) -> Option<usize> {
        self.index_of_id(id).map(|i| self.database[i])
    }

    /// The failure `failure` of a statement that ran for the district at `ran_for`, as the
    /// district at `index` (which shares its database) sees it; remembered for the request when
    /// the database is unavailable.
    fn shared_failure(
        &self,
        index: usize,
        ran_for: usize,
        failure: &Arc<StoreError>,
    ) -> Arc<StoreError> {
        if index == ran_for {
            return failure.clone();
        }
        self.remember(Arc::new(StoreError::Shared {
            city: self.list[index].city().to_owned(),
            cause: failure.clone(),
        }))
    }

    /// Remembers `failure` for the rest of the request when its district is unavailable.
    fn remember(&self, failure: Arc<StoreError>) -> Arc<StoreError> {
        if failure.is_unavailable() {
            self.outages
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(failure.city().to_owned(), failure.clone());
        }
        failure
    }

    /// Runs `work` once for `cities` (positions of districts whose cities are all in database
    /// number `database`): one statement for all of them. Where the database holds several
    /// cities, each one is prepared first, and `work` gets the ones that are ready. Gives what
    /// `work` returned, if it ran and succeeded, and the failure of each city that could not be
    /// read.
    pub(crate) async fn for_database<'s, T, F>(
        &'s self,
        database: usize,
        cities: &[usize],
        work: impl FnOnce(&'s District, Vec<usize>) -> F,
    ) -> (Option<T>, HashMap<usize, Arc<StoreError>>)
    where
        F: Future<Output = Result<T, StoreError>>,
    {
        let mut cities = cities.to_vec();
        cities.sort_unstable();
        cities.dedup();
        let mut failed = HashMap::new();
        let shared = self.database.iter().filter(|&&n| n == database).count() > 1;
        let ready: Vec<usize> = if shared {
            let checks = futures::future::join_all(cities.iter().map(|&i| {
                let d = &self.list[i];
                async move { (i, self.attempt(d, d.usable()).await) }
            }))
            .await;
            checks
                .into_iter()
                .filter_map(|(i, check)| match check {
                    Ok(()) => Some(i),
                    Err(e) => {
                        failed.insert(i, e);
                        None
                    }
                })
                .collect()
        } else {
            cities
        };
        let Some(&runner) = ready.first() else {
            return (None, failed);
        };
        let district = &self.list[runner];
        match self.attempt(district, work(district, ready.clone())).await {
            Ok(out) => (Some(out), failed),
            Err(e) => {
                for &i in &ready {
                    failed.insert(i, self.shared_failure(i, runner, &e));
                }
                (None, failed)
            }
        }
    }

    /// The city ids of the districts at `positions`.
    pub(crate) fn cities(&self, positions: &[usize]) -> Vec<String> {
        positions
            .iter()
            .map(|&i| self.list()[i].city().to_owned())
            .collect()
    }

    /// [`Districts::for_database`] for every database holding one of `cities` (positions of
    /// districts), the databases at once: one answer and one set of failures per database.
    pub(crate) async fn per_database<'s, T, F>(
        &'s self,
        cities: &[usize],
        work: impl Fn(&'s District, Vec<usize>) -> F,
    ) -> Vec<(Option<T>, HashMap<usize, Arc<StoreError>>)>
    where
        F: Future<Output = Result<T, StoreError>>,
    {
        let mut by_database: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for &i in cities {
            by_database.entry(self.database[i]).or_default().push(i);
        }
        let work = &work;
        futures::future::join_all(by_database.into_iter().map(|(database, in_it)| async move {
            self.for_database(database, &in_it, work).await
        }))
        .await
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
        work.await.map_err(|e| self.remember(Arc::new(e)))
    }

    /// Runs `work` in each of the `selected` districts concurrently, in the request's next round
    /// of reads (see [`batch`]). A district that fails gives `None` and its failure is reported
    /// as an error of the current field; the others' answers are kept, in the order of
    /// `selected`. `work` must only read from `store`.
    pub(crate) async fn fan_out<'a, T, F>(
        &'a self,
        ctx: &Context<'_>,
        selected: &[usize],
        work: impl Fn(usize, &'a District) -> F,
    ) -> Vec<Option<T>>
    where
        F: Future<Output = Result<T, StoreError>> + 'a,
    {
        let _running = match ctx.data::<Arc<batch::Batcher>>() {
            Ok(batcher) => Some(batcher.round().await),
            Err(_) => None,
        };
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
        Self {
            list: self
                .list
                .iter()
                .map(|d| d.counting_into(counter.clone()))
                .collect(),
            database: self.database.clone(),
            by_city: self.by_city.clone(),
            outages: Arc::default(),
        }
    }
}

/// Limits that keep one query from costing the service too much.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// What one request may ask for, measured before anything runs (see [`cost`]).
    pub budget: cost::Budget,
    /// Requests executed at once; the others wait their turn. A request's answer is built in
    /// memory (about 20 times its size in JSON while it is built), so this bounds the memory
    /// under load as well as the CPU contention.
    pub max_concurrent: usize,
    /// Requests that may wait for a turn; one more is shed at once ([`Overload::Busy`]).
    pub max_queued: usize,
    /// Longest a request may take, waiting included ([`Overload::TimedOut`] after it).
    pub request_timeout: std::time::Duration,
}

/// Requests executed at once by default: twice the cores (two per core keeps every core busy
/// while another request waits for its database).
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()) * 2
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            budget: cost::Budget::default(),
            max_concurrent: default_concurrency(),
            max_queued: default_concurrency() * 8,
            request_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// The schema, with or without the federation fields (see [`federation`]).
#[derive(Clone)]
pub struct DangqunSchema {
    inner: Variant,
    districts: Arc<Districts>,
    executing: Arc<tokio::sync::Semaphore>,
    /// Requests executing or waiting for a turn.
    admitted: Arc<std::sync::atomic::AtomicUsize>,
    limits: Limits,
    cost: Arc<cost::Model>,
    /// Whether plain trees of lists are answered in one statement per database (`compile`).
    compile_trees: bool,
    /// The plans of the plain trees lately asked.
    plans: Arc<compile::Plans>,
}

#[derive(Clone)]
enum Variant {
    Plain(Schema<PlainQuery, EmptyMutation, EmptySubscription>),
    Federated(Schema<FederatedQuery, EmptyMutation, EmptySubscription>),
}

impl DangqunSchema {
    /// The same schema, compiling plain trees of lists into one statement per database (the
    /// default) or resolving every field (to compare the two, or to rule the compiler out).
    pub fn compiling_trees(mut self, on: bool) -> Self {
        self.compile_trees = on;
        self
    }

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
        cursor_key: CursorKey,
    ) -> Schema<Q, EmptyMutation, EmptySubscription> {
        // Depth and cost are measured by `cost` before a request runs; this only bounds the
        // recursion of async-graphql's own passes over a document.
        builder.data(cursor_key).limit_recursive_depth(32).finish()
    }
    let inner = if federation {
        Variant::Federated(finish(
            Schema::build(FederatedQuery::default(), EmptyMutation, EmptySubscription)
                .enable_federation(),
            cursor_key,
        ))
    } else {
        Variant::Plain(finish(
            Schema::build(PlainQuery::default(), EmptyMutation, EmptySubscription),
            cursor_key,
        ))
    };
    let mut schema = DangqunSchema {
        inner,
        executing: Arc::new(tokio::sync::Semaphore::new(limits.max_concurrent.max(1))),
        admitted: Arc::default(),
        limits,
        cost: Arc::default(),
        districts,
        compile_trees: true,
        plans: Arc::default(),
    };
    schema.cost = Arc::new(cost::Model::new(
        &schema.sdl(),
        schema.districts.list().len(),
    ));
    schema
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

/// A request's answer, and how many SQL statements it cost.
pub struct Executed {
    pub response: async_graphql::Response,
    /// Statements run for this request, across every district.
    pub statements: u64,
    /// Whether the operation ran. When it did not (the document does not parse, is not valid, or
    /// its variables cannot be coerced), the answer has only `errors`: a request error in the
    /// GraphQL-over-HTTP sense.
    pub executed: bool,
    /// Set when the request was turned away for load, not for what it asked.
    pub overload: Option<Overload>,
    shape: Option<render::Shape>,
    /// `data` as the databases built it, for a compiled plain tree (`compile`).
    data: Option<Vec<u8>>,
}

/// Why a request was turned away for load: HTTP 503 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overload {
    /// Every turn taken and the queue full: shed at once, before it waits.
    Busy,
    /// It took longer than the request timeout (waiting for its turn included).
    TimedOut,
}

impl Executed {
    /// The answer as JSON bytes, each object's keys in selection order, `data` left out when the
    /// operation did not run. Identical requests on the same data get identical bytes.
    pub fn to_json(&self) -> Vec<u8> {
        render::write(
            &self.response,
            self.shape.as_ref(),
            self.executed,
            self.data.as_deref(),
        )
    }

    fn refused(error: async_graphql::ServerError, code: &'static str) -> Self {
        Self {
            response: error::with_codes(async_graphql::Response::from_errors(vec![error]), code),
            statements: 0,
            executed: false,
            overload: None,
            shape: None,
            data: None,
        }
    }

    fn overloaded(why: Overload, statements: u64) -> Self {
        let (code, message) = match why {
            Overload::Busy => (
                codes::OVERLOADED,
                "the service is answering as many requests as it can: retry after a moment",
            ),
            Overload::TimedOut => (
                codes::TIMED_OUT,
                "the request took longer than the service allows: ask for less, or retry",
            ),
        };
        let mut answer = Self::refused(async_graphql::ServerError::new(message, None), code);
        answer.overload = Some(why);
        answer.statements = statements;
        answer
    }
}

/// What kind of operation a request would run, parsing its document (once: the request keeps
/// it). `None` when it does not parse or names no operation; [`execute`] reports that.
pub fn operation_type(
    request: &mut async_graphql::Request,
) -> Option<async_graphql::parser::types::OperationType> {
    let name = request.operation_name.clone();
    let document = request.parsed_query().ok()?;
    operation(document, name.as_deref()).map(|op| op.ty)
}

/// The operation a request names, as async-graphql picks it: the only one, or the named one.
fn operation<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d OperationDefinition> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), None) => Some(&op.node),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// The first variable the operation requires (a non-null type without a default) that the
/// request does not give. async-graphql would only notice it when a field reads it, as an error
/// of that field; it is the request's error, before anything runs.
fn missing_variable(
    operation: &OperationDefinition,
    variables: &async_graphql::Variables,
) -> Option<async_graphql::ServerError> {
    operation
        .variable_definitions
        .iter()
        .find_map(|definition| {
            let definition = &definition.node;
            let given = variables
                .get(&definition.name.node)
                .is_some_and(|v| *v != async_graphql::Value::Null);
            (!definition.var_type.node.nullable && definition.default_value.is_none() && !given)
                .then(|| {
                    async_graphql::ServerError::new(
                        format!(
                            "variable `${}` of type `{}` is required and was not given",
                            definition.name.node, definition.var_type.node
                        ),
                        Some(definition.name.pos),
                    )
                })
        })
}

/// Runs one GraphQL request with its own batcher (see [`batch`]: reads go out in rounds, one
/// statement per table and database each) and a fresh statement counter. Any tokio runtime will
/// do, with one thread or many: what a batch holds does not depend on scheduling.
pub async fn execute(schema: &DangqunSchema, mut request: async_graphql::Request) -> Executed {
    // Parsed once: the schema executes the document parsed here.
    let name = request.operation_name.clone();
    let variables = request.variables.clone();
    let budget = schema.limits.budget;
    let wants_cost = request.extensions.get("cost") == Some(&async_graphql::Value::Boolean(true));
    let planning = schema.compile_trees && !wants_cost;
    if planning && let Some(plan) = schema.plans.get(&request.query, name.as_deref()) {
        // Planned before: the same text passed the same limits.
        return admit(schema, request, None, None, Some(plan)).await;
    }
    let tokens = match cost::check_tokens(&budget, &request.query) {
        Ok(tokens) => tokens,
        Err(over) => return Executed::refused(over.error(), codes::LIMIT_EXCEEDED),
    };
    let mut measured = None;
    let mut plan = None;
    let shape = match request.parsed_query() {
        // A document that names no operation is refused by async-graphql; nothing to measure.
        Ok(document) => match operation(document, name.as_deref()) {
            None => None,
            Some(op) => {
                if let Some(missing) = missing_variable(op, &variables) {
                    return Executed::refused(missing, codes::BAD_ARGUMENT);
                }
                // Before the shape: the walk stops at the cost limit, however the document
                // explodes.
                match schema
                    .cost
                    .measure(&budget, document, op, &variables, tokens)
                {
                    // Kept only when the request asks for it (`"extensions": {"cost": true}`).
                    Ok(m) => measured = wants_cost.then_some(m),
                    Err(over) => return Executed::refused(over.error(), codes::LIMIT_EXCEEDED),
                }
                if planning {
                    plan = compile::plan(document, op, &schema.districts).map(Arc::new);
                }
                // A plan writes its own answer.
                plan.is_none().then(|| render::Shape::of(document, op))
            }
        },
        Err(e) => {
            let message = format!("the query does not parse: {}", e.message);
            return Executed::refused(
                async_graphql::ServerError::new(message, None),
                codes::PARSE_FAILED,
            );
        }
    };
    if let Some(plan) = &plan {
        schema
            .plans
            .keep(&request.query, name.as_deref(), Arc::clone(plan));
    }
    admit(schema, request, shape, measured, plan).await
}

/// Runs `request` once admitted: at most `max_concurrent` execute and `max_queued` wait; one
/// more is shed now, before it holds any memory or waits.
async fn admit(
    schema: &DangqunSchema,
    request: async_graphql::Request,
    shape: Option<render::Shape>,
    measured: Option<cost::Measured>,
    plan: Option<Arc<compile::Plan>>,
) -> Executed {
    let admitted = Admitted::enter(&schema.admitted);
    if admitted.ahead >= schema.limits.max_concurrent.max(1) + schema.limits.max_queued {
        return Executed::overloaded(Overload::Busy, 0);
    }
    let counter = Arc::new(AtomicU64::new(0));
    let run = run_admitted(schema, request, counter.clone(), shape, measured, plan);
    match tokio::time::timeout(schema.limits.request_timeout, run).await {
        Ok(executed) => executed,
        Err(_) => Executed::overloaded(Overload::TimedOut, counter.load(Ordering::Relaxed)),
    }
}

/// Counts a request as admitted until it is dropped; `ahead` is how many were before it.
struct Admitted<'a> {
    count: &'a std::sync::atomic::AtomicUsize,
    ahead: usize,
}

impl<'a> Admitted<'a> {
    fn enter(count: &'a std::sync::atomic::AtomicUsize) -> Self {
        let ahead = count.fetch_add(1, Ordering::SeqCst);
        Self { count, ahead }
    }
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn run_admitted(
    schema: &DangqunSchema,
    request: async_graphql::Request,
    counter: Arc<AtomicU64>,
    shape: Option<render::Shape>,
    measured: Option<cost::Measured>,
    plan: Option<Arc<compile::Plan>>,
) -> Executed {
    // Never closed, so acquiring cannot fail; the permit is held until the answer is built.
    let _turn = schema.executing.acquire().await.ok();
    let districts = Arc::new(schema.districts.for_request(&counter));
    if let Some(plan) = plan {
        let (data, errors) = compile::run(&plan, &districts).await;
        return Executed {
            response: error::one_outage_per_city(async_graphql::Response::from_errors(errors)),
            statements: counter.load(Ordering::Relaxed),
            executed: true,
            overload: None,
            shape: None,
            data: Some(data),
        };
    }
    let batcher = Arc::new(batch::Batcher::new(districts.clone()));
    let request = request.data(districts).data(batcher.clone());
    let mut response = batch::drive(batcher, schema.run(request)).await;
    if let Some(measured) = measured {
        // `"extensions": {"cost": true}` in the request: what it measured against each limit.
        response
            .extensions
            .insert("cost".to_owned(), measured.to_value(&schema.limits.budget));
    }
    // async-graphql answers a request that never ran (invalid document, uncoercible variables)
    // with null data and errors that have no path; every error of a run has its field's path.
    let executed = !(response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty()));
    Executed {
        response: error::one_outage_per_city(error::with_codes(response, codes::VALIDATION_FAILED)),
        statements: counter.load(Ordering::Relaxed),
        executed,
        overload: None,
        shape,
        data: None,
    }
}
