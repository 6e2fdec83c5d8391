//! The HTTP surface: `POST`/`GET /graphql`, GraphiQL at `/` with its assets built into the binary,
//! `GET /health` and `GET /ready`. Errors are JSON with a stable `extensions.code`; internal causes are logged,
//! never echoed.

use crate::metrics::Metrics;
use async_graphql::parser::types::OperationType;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use graphql::{DangqunSchema, codes};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

#[derive(Clone)]
struct AppState {
    schema: DangqunSchema,
    cache_max_age: u32,
    persisted: Arc<crate::persisted::Persisted>,
    metrics: Arc<Metrics>,
    max_body_bytes: usize,
}

/// A token bucket per client address: `rate` requests a second, up to `burst` at once.
#[derive(Debug)]
struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: std::sync::Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

/// Clients remembered at most; past it, those whose bucket has refilled are forgotten.
const MAX_TRACKED_CLIENTS: usize = 10_000;

impl RateLimiter {
    /// `Err(seconds)` when `client` must wait that long for its next request.
    fn take(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED_CLIENTS {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets.entry(client).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

/// 429 with `Retry-After` for a client over its rate; requests without a peer address (none
/// reach here through `dangqun serve`) are not limited.
async fn rate_limit(
    State(limiter): State<Arc<RateLimiter>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let client = request
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(client) = client
        && let Err(wait) = limiter.take(client, Instant::now())
    {
        let mut response = coded_error(
            StatusCode::TOO_MANY_REQUESTS,
            codes::RATE_LIMITED,
            "too many requests from this address: retry after the time in Retry-After",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return response;
    }
    next.run(request).await
}

/// What the HTTP surface needs from the configuration ([`crate::Config::http`]).
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Origins a browser may call from (`https://dash.example.org`); empty: any origin.
    pub cors_origins: Vec<HeaderValue>,
    /// `max-age` of a GET query's answer, in seconds (0: caches revalidate every time).
    pub cache_max_age: u32,
    /// Requests a second one client address may send to `/graphql`, and how many at once
    /// (`None`: no limit).
    pub rate_limit: Option<(f64, f64)>,
    /// Automatic persisted queries, or a safelist.
    pub persisted: Arc<crate::persisted::Persisted>,
}

/// The router. Tests drive it on a random port; `dangqun serve` on the configured one.
pub fn app(schema: DangqunSchema, options: HttpOptions) -> Router {
    let mut graphql = get(graphql_get).post(graphql_post);
    if let Some((rate, burst)) = options.rate_limit {
        let limiter = Arc::new(RateLimiter {
            rate,
            burst,
            buckets: std::sync::Mutex::default(),
        });
        graphql = graphql.layer(axum::middleware::from_fn_with_state(limiter, rate_limit));
    }
    let metrics = Arc::new(Metrics::default());
    let graphql = graphql.layer(axum::middleware::from_fn_with_state(
        metrics.clone(),
        observe,
    ));
    Router::new()
        .route("/graphql", graphql)
        .route("/metrics", get(metrics_text))
        .route("/", get(graphiql))
        .route("/graphiql/{file}", get(graphiql_asset))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/export/{file}", get(export_file))
        .route("/compare", get(compare_page))
        .route("/articles/{city}/{file}", get(article_page))
        .fallback(not_found)
        // The handlers read the body as `Bytes`, which honours this limit (a streaming extractor
        // would not).
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .layer(cors(&options.cors_origins))
        // gzip or br when the client accepts them (not for tiny bodies): GraphiQL's assets and
        // large answers shrink about tenfold.
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(axum::middleware::from_fn(request_id))
        .with_state(AppState {
            schema,
            cache_max_age: options.cache_max_age,
            persisted: options.persisted,
            metrics,
            max_body_bytes: options.max_body_bytes,
        })
}

/// CORS: the data is public and the API read-only, so by default any origin may call it
/// (`Access-Control-Allow-Origin: *`, which no credentials can ride on); with a list, only those
/// origins, and answers vary by `Origin`. Preflights are answered for GET and POST with the
/// headers a GraphQL client sends, and cached by the browser for a day.
fn cors(origins: &[HeaderValue]) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_NONE_MATCH,
            HeaderName::from_static("apollo-require-preflight"),
            HeaderName::from_static("x-apollo-operation-name"),
        ])
        .expose_headers([header::ETAG, HeaderName::from_static(STATEMENTS_HEADER)])
        .max_age(std::time::Duration::from_secs(86_400));
    if origins.is_empty() {
        // The answer is the same for every origin: nothing to vary on.
        layer.allow_origin(AllowOrigin::any()).vary([])
    } else {
        layer.allow_origin(AllowOrigin::list(origins.iter().cloned()))
    }
}

/// A request-level error (the body is not a GraphQL request at all), GraphQL-shaped.
fn request_error(status: StatusCode, message: impl Into<String>) -> Response {
    coded_error(status, codes::BAD_REQUEST, message)
}

/// An error about the request as a whole, GraphQL-shaped, with its code.
fn coded_error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = json!({ "errors": [{ "message": message.into(), "extensions": { "code": code } }] });
    let mut response = (status, Json(body)).into_response();
    response
        .extensions_mut()
        .insert(Refused(refusal_reason(code)));
    response
}

/// For the metrics: a GraphQL request that was answered (it ran, or was found invalid).
#[derive(Debug, Clone)]
struct Answered {
    operation: Option<String>,
    outcome: &'static str,
    statements: u64,
}

/// For the metrics: a request turned away, and why.
#[derive(Debug, Clone, Copy)]
struct Refused(&'static str);

fn refusal_reason(code: &str) -> &'static str {
    match code {
        codes::RATE_LIMITED => "rate_limited",
        codes::OVERLOADED => "overloaded",
        codes::TIMED_OUT => "timed_out",
        codes::LIMIT_EXCEEDED => "limit_exceeded",
        c if c.starts_with("PERSISTED_QUERY") || c == "OPERATION_NOT_IN_SAFELIST" => {
            "persisted_query"
        }
        _ => "bad_request",
    }
}

/// Records each `/graphql` request in the metrics when its response is ready.
async fn observe(
    State(metrics): State<Arc<Metrics>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    if let Some(a) = response.extensions().get::<Answered>() {
        metrics.answered(
            a.operation.as_deref(),
            a.outcome,
            started.elapsed(),
            a.statements,
        );
    } else if let Some(Refused(reason)) = response.extensions().get::<Refused>() {
        metrics.refused(reason);
    }
    response
}

/// The response header that carries a request's id (the client's, when it sent a usable one).
const REQUEST_ID: &str = "x-request-id";

/// Gives every request an id: in the `x-request-id` response header and in every log line
/// written while it is served (a `request` span with field `id`).
async fn request_id(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use tracing::Instrument;
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let given = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_owned);
    let id = given.unwrap_or_else(|| {
        let prefix = PREFIX.get_or_init(|| {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(u64::from(std::process::id()));
            h.finish() as u32
        });
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{prefix:08x}-{n:x}")
    });
    let span = tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path());
    let mut response = next.run(request).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// The response header that tells how many SQL statements a request ran, across districts.
pub const STATEMENTS_HEADER: &str = "dangqun-sql-statements";

/// The media types an answer can be sent as (GraphQL over HTTP, "Accept").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    /// `application/graphql-response+json`: status codes tell request errors (400) from answers.
    GraphqlResponse,
    /// `application/json`: every answer to a well-formed request is 200.
    Json,
}

impl MediaType {
    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }

    /// The type `Accept` prefers: the highest `q` among the two, `application/graphql-response+json`
    /// on a tie; `application/json` for `*/*`, `application/*` or no `Accept` at all. `None` when
    /// `Accept` allows neither.
    fn from_accept(headers: &HeaderMap) -> Option<Self> {
        let values: Vec<&str> = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() {
            return Some(Self::Json);
        }
        let mut best: Option<(f32, u8, Self)> = None;
        for range in values.iter().flat_map(|v| v.split(',')) {
            let mut parts = range.split(';');
            let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            // Rank: an exact type beats a wildcard at the same q.
            let (rank, media) = match essence.as_str() {
                "application/graphql-response+json" => (3, Self::GraphqlResponse),
                "application/json" => (2, Self::Json),
                "application/*" | "*/*" => (1, Self::Json),
                _ => continue,
            };
            if q <= 0.0 {
                continue;
            }
            if best.is_none_or(|(bq, br, _)| q > bq || (q == bq && rank > br)) {
                best = Some((q, rank, media));
            }
        }
        best.map(|(_, _, media)| media)
    }
}

/// `Vary` for every GraphQL answer: its media type follows `Accept`.
const VARY: HeaderValue = HeaderValue::from_static("accept");

/// How a GraphQL request arrived: POST, or GET with the request's `If-None-Match`.
enum Via<'h> {
    Post,
    Get(Option<&'h HeaderValue>),
}

async fn run(
    state: &AppState,
    media: MediaType,
    via: Via<'_>,
    request: async_graphql::Request,
) -> Response {
    let operation = request.operation_name.clone();
    let executed = graphql::execute(&state.schema, request).await;
    let first_code = executed
        .response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref())
        .and_then(|x| match x.get("code") {
            Some(async_graphql::Value::String(code)) => Some(code.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let mark: Result<Answered, Refused> = match executed.overload {
        Some(graphql::Overload::Busy) => Err(Refused("overloaded")),
        Some(graphql::Overload::TimedOut) => Err(Refused("timed_out")),
        None if first_code == codes::LIMIT_EXCEEDED => Err(Refused("limit_exceeded")),
        None => Ok(Answered {
            operation,
            outcome: match (executed.executed, executed.response.errors.is_empty()) {
                (false, _) => "invalid",
                (true, true) => "ok",
                (true, false) => "errors",
            },
            statements: executed.statements,
        }),
    };
    let mut response = answer(state, media, via, executed);
    match mark {
        Ok(answered) => {
            tracing::debug!(
                operation = answered.operation.as_deref().unwrap_or("-"),
                outcome = answered.outcome,
                statements = answered.statements,
                "answered"
            );
            response.extensions_mut().insert(answered);
        }
        Err(refused) => {
            tracing::debug!(reason = refused.0, "refused");
            response.extensions_mut().insert(refused);
        }
    }
    response
}

/// The HTTP response for an executed (or refused) request.
fn answer(
    state: &AppState,
    media: MediaType,
    via: Via<'_>,
    executed: graphql::Executed,
) -> Response {
    // GraphQL over HTTP: with application/graphql-response+json, a request that never ran is a
    // 400; with application/json, every answer to a well-formed request is a 200.
    let status = if executed.overload.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else if media == MediaType::GraphqlResponse && !executed.executed {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = executed.to_json();
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, media.header());
    headers.insert(header::VARY, VARY);
    headers.insert(STATEMENTS_HEADER, HeaderValue::from(executed.statements));
    if executed.overload.is_some() {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return (status, headers, body).into_response();
    }
    if let Via::Get(if_none_match) = via {
        // A complete answer to a GET query may be cached and revalidated; one with errors (a
        // district down, a bad argument) may not: the next try may well answer differently.
        if executed.executed && executed.response.errors.is_empty() {
            let tag = etag(&body);
            headers.insert(header::CACHE_CONTROL, cache_control(state.cache_max_age));
            let fresh = if_none_match.is_some_and(|v| matches_etag(v, &tag));
            headers.insert(header::ETAG, tag);
            if fresh {
                return (StatusCode::NOT_MODIFIED, headers).into_response();
            }
        } else {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    (status, headers, body).into_response()
}

/// A weak validator from the answer's bytes (weak: a compressed copy is the same answer), so a
/// changed dataset, or anything else that changes the answer, changes it.
fn etag(body: &[u8]) -> HeaderValue {
    let hex = crate::sha256_hex(body);
    HeaderValue::try_from(format!("W/\"{}\"", &hex[..32]))
        .unwrap_or(HeaderValue::from_static("W/\"\""))
}

/// `If-None-Match` against our tag, by the weak comparison (RFC 9110 §13.1.2): `*`, or any of
/// the listed tags with the same opaque part.
fn matches_etag(if_none_match: &HeaderValue, tag: &HeaderValue) -> bool {
    let (Ok(list), Ok(tag)) = (if_none_match.to_str(), tag.to_str()) else {
        return false;
    };
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    list.trim() == "*" || list.split(',').any(|t| opaque(t) == opaque(tag))
}

fn cache_control(max_age: u32) -> HeaderValue {
    if max_age == 0 {
        HeaderValue::from_static("public, no-cache")
    } else {
        HeaderValue::try_from(format!("public, max-age={max_age}"))
            .unwrap_or(HeaderValue::from_static("no-store"))
    }
}

/// Why a POST body is refused unread, if it is: it must be JSON (`application/json`, UTF-8).
/// Anything else, `text/plain` above all (a form or `fetch` without preflight could send it from
/// any page: a CSRF "simple request"), gets 415.
fn unsupported_body(headers: &HeaderMap) -> Option<String> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Some("the request has no Content-Type".to_owned());
    };
    let Ok(value) = value.to_str() else {
        return Some("the Content-Type is not readable".to_owned());
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Some(format!("`{essence}` bodies are not accepted"));
    }
    parts
        .filter_map(|param| param.split_once('='))
        .any(|(name, charset)| {
            name.trim().eq_ignore_ascii_case("charset")
                && !charset
                    .trim()
                    .trim_matches('"')
                    .eq_ignore_ascii_case("utf-8")
        })
        .then(|| "only UTF-8 bodies are accepted".to_owned())
}

fn not_acceptable() -> Response {
    request_error(
        StatusCode::NOT_ACCEPTABLE,
        "answers are sent as application/graphql-response+json or application/json: `Accept` allows neither",
    )
}

async fn graphql_post(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let Some(media) = MediaType::from_accept(headers) else {
        return not_acceptable();
    };
    if let Some(why) = unsupported_body(headers) {
        return request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("{why}: send the request as `Content-Type: application/json`"),
        );
    }
    // A declared length over the limit is refused before a byte of the body is read; a chunked
    // body is read only until it passes the limit.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // The body is left unread, so the connection cannot carry another request: say so.
    let too_large = || {
        let mut response = request_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than {} bytes",
                state.max_body_bytes
            ),
        );
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        response
    };
    if declared.is_some_and(|n| n > state.max_body_bytes as u64) {
        return too_large();
    }
    let body =
        match Bytes::from_request(axum::extract::Request::from_parts(parts, body), &state).await {
            Ok(body) => body,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return too_large();
            }
            Err(rejection) => {
                return request_error(
                    rejection.status(),
                    format!(
                        "the request body could not be read: {}",
                        rejection.body_text()
                    ),
                );
            }
        };
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                format!("the request body is not valid JSON: {e}"),
            );
        }
    };
    if value.is_array() {
        return request_error(
            StatusCode::BAD_REQUEST,
            "batched requests are not supported: send one operation per request",
        );
    }
    let mut value = value;
    let query = match value.get("query") {
        Some(serde_json::Value::String(q)) => Some(q.clone()),
        None | Some(serde_json::Value::Null) => None,
        Some(_) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                "the body is not a GraphQL request: its `query` must be a string",
            );
        }
    };
    match state.persisted.resolve(query, value.get("extensions")) {
        Ok(query) => value["query"] = serde_json::Value::String(query),
        Err(refused) => return persisted_refusal(media, refused),
    }
    match serde_json::from_value::<async_graphql::Request>(value) {
        Ok(request) => run(&state, media, Via::Post, request).await,
        Err(e) => request_error(
            StatusCode::BAD_REQUEST,
            format!(
                "the body is not a GraphQL request (`query`, optional `variables` and `operationName`): {e}"
            ),
        ),
    }
}

/// A persisted operation that cannot be found or run: a request that never ran (400 as
/// `application/graphql-response+json`, 200 as `application/json`), or a malformed one (400).
fn persisted_refusal(media: MediaType, refused: crate::persisted::Refusal) -> Response {
    let status = if media == MediaType::Json && refused.code != codes::BAD_REQUEST {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut response = coded_error(status, refused.code, refused.message);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.header());
    response
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<GetParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(media) = MediaType::from_accept(&headers) else {
        return not_acceptable();
    };
    let Ok(Query(params)) = params else {
        return request_error(StatusCode::BAD_REQUEST, "the query string is malformed");
    };
    let extensions = match params.extensions.as_deref().map(serde_json::from_str) {
        None => None,
        Some(Ok(e)) => Some(e),
        Some(Err(e)) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                format!("`extensions` is not valid JSON: {e}"),
            );
        }
    };
    let query = match state.persisted.resolve(params.query, extensions.as_ref()) {
        Ok(query) => query,
        Err(refused) if refused.code == codes::BAD_REQUEST => {
            return request_error(StatusCode::BAD_REQUEST, "missing `query` parameter");
        }
        Err(refused) => return persisted_refusal(media, refused),
    };
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(vars) = params.variables {
        match serde_json::from_str::<serde_json::Value>(&vars) {
            Ok(v) => request = request.variables(async_graphql::Variables::from_json(v)),
            Err(e) => {
                return request_error(
                    StatusCode::BAD_REQUEST,
                    format!("`variables` is not valid JSON: {e}"),
                );
            }
        }
    }
    // GET runs queries only (GraphQL over HTTP): a GET must never change anything, and proxies
    // and browsers repeat and prefetch GETs freely.
    if let Some(kind) = graphql::operation_type(&mut request)
        && kind != OperationType::Query
    {
        let mut response = request_error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("a {kind} cannot be sent with GET: use POST"),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let if_none_match = headers.get(header::IF_NONE_MATCH);
    run(&state, media, Via::Get(if_none_match), request).await
}

const GRAPHIQL_HTML: &str = include_str!("../assets/graphiql/index.html");
const GRAPHIQL_ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.css"),
    ),
    (
        "LICENSES.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/graphiql/LICENSES.txt"),
    ),
];

async fn graphiql() -> Html<&'static str> {
    Html(GRAPHIQL_HTML)
}

async fn graphiql_asset(Path(file): Path<String>) -> Response {
    match GRAPHIQL_ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => not_found().await,
    }
}

/// Each district looked at now, concurrently: prepared if it was not yet, its dataset version
/// read within its timeout.
async fn check_districts(state: &AppState) -> Vec<serde_json::Value> {
    let districts = state.schema.districts();
    futures::future::join_all(districts.list().iter().map(|d| async move {
        let health = d.health().await;
        let latency_ms = (health.latency.as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
        let synthetic = model::synth::is_synthetic(d.city());
        match health.version {
            Ok(version) => json!({
                "city": d.city(),
                "backend": health.backend.as_str(),
                "status": "up",
                "synthetic": synthetic,
                "latencyMs": latency_ms,
                "datasetVersion": version,
            }),
            Err(reason) => json!({
                "city": d.city(),
                "backend": health.backend.as_str(),
                "status": "down",
                "synthetic": synthetic,
                "latencyMs": latency_ms,
                "reason": reason,
            }),
        }
    }))
    .await
}

/// `GET /metrics`: Prometheus text (see [`crate::metrics`]), the districts checked now.
async fn metrics_text(State(state): State<AppState>) -> Response {
    let districts: Vec<(String, bool, std::time::Duration)> =
        futures::future::join_all(state.schema.districts().list().iter().map(|d| async move {
            let health = d.health().await;
            (d.city().to_owned(), health.version.is_ok(), health.latency)
        }))
        .await;
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics.render(&districts),
    )
        .into_response()
}

/// `GET /compare`: the comparison page, built on the GraphQL API, compiled into the binary (no
/// CDN: it works offline).
async fn compare_page() -> Html<&'static str> {
    Html(include_str!("../assets/compare/index.html"))
}

#[derive(Deserialize)]
struct ArticleQuery {
    quote: Option<String>,
}

/// `GET /articles/<city>/<file>[?quote=…]`: a source article as its quotes read it (Taiyuan's
/// after its normalisation), the quoted sentence marked and scrolled to. 404 for an article the
/// binary does not hold (synthetic cities have none).
async fn article_page(
    Path((city, file)): Path<(String, String)>,
    Query(query): Query<ArticleQuery>,
) -> Response {
    let article = crate::CITIES
        .iter()
        .find(|(id, ..)| *id == city)
        .and_then(|(.., articles)| articles.iter().find(|a| a.file == file));
    let Some(article) = article else {
        return coded_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("no article `{city}/{file}`"),
        );
    };
    let Ok(text) = article.quoted_text() else {
        return coded_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::INTERNAL,
            "the article cannot be shown",
        );
    };
    let quote = query.quote.filter(|q| !q.is_empty());
    let (before, marked, after) = match quote
        .as_deref()
        .and_then(|q| text.find(q).map(|at| (at, q)))
    {
        Some((at, q)) => (
            &text[..at],
            Some(&text[at..at + q.len()]),
            &text[at + q.len()..],
        ),
        None => (text.as_str(), None, ""),
    };
    let status = match (&quote, marked) {
        (Some(_), None) => "<p class=\"missing\">The quote is not in this article.</p>",
        _ => "",
    };
    let normalised = if article.normalisation.is_some() {
        "<p>Shown after its normalisation (traditional to simplified characters, doubled \
         punctuation collapsed): the text its quotes stand in.</p>"
    } else {
        ""
    };
    let page = format!(
        "<!doctype html><html lang=\"zh-Hans\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{file} — dangqun</title><style>body{{font:16px/1.7 system-ui,sans-serif;\
         margin:0 auto;max-width:780px;padding:16px}}pre{{white-space:pre-wrap}}\
         mark{{background:#ffe08a;outline:2px solid #b3261e}}.missing{{color:#b3261e}}</style>\
         </head><body><p><a href=\"/compare\">← 比较 Compare</a></p><h1>{city}/{file}</h1>\
         {normalised}{status}<pre>{}{}{}</pre><script>var m=document.getElementById('quote');\
         if(m)m.scrollIntoView({{block:'center'}});</script></body></html>",
        html_escape(before),
        marked.map_or(String::new(), |m| format!(
            "<mark id=\"quote\">{}</mark>",
            html_escape(m)
        )),
        html_escape(after),
        city = html_escape(&city),
        file = html_escape(&file),
    );
    Html(page).into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /export/<table>.<csv|ndjson>`: a flat file of rooms, centers, circles or the `compare`
/// figures, with `cities` and the GraphQL list's filters as query parameters (see
/// [`crate::export`]). 400 for a file or parameter it does not know, 503 when a district does
/// not answer (the file would lack its city).
async fn export_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    use crate::export::{ExportError, Request, export};
    let request = match Request::parse(&file, &params) {
        Ok(request) => request,
        Err(e) => return request_error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    match export(&state.schema, &request).await {
        Ok(body) => {
            let disposition = format!("attachment; filename=\"{}\"", request.file_name());
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(request.format.content_type()),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        HeaderValue::from_str(&disposition)
                            .unwrap_or(HeaderValue::from_static("attachment")),
                    ),
                ],
                body,
            )
                .into_response()
        }
        Err(ExportError::Bad(message)) => request_error(StatusCode::BAD_REQUEST, message),
        Err(ExportError::Unavailable(message)) => coded_error(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::DISTRICT_UNAVAILABLE,
            message,
        ),
    }
}

/// `GET /health`: every district, up or down, with its latency. 200 while any district is up
/// (`status` is `up` when all are, `degraded` when some are), 503 when none is.
async fn health(State(state): State<AppState>) -> Response {
    let checks = check_districts(&state).await;
    let up = checks.iter().filter(|c| c["status"] == "up").count();
    let status = if up > 0 && up == checks.len() {
        "up"
    } else if up > 0 {
        "degraded"
    } else {
        "down"
    };
    let code = if up > 0 {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let synthetic = checks.iter().any(|c| c["synthetic"] == true);
    (
        code,
        Json(json!({ "status": status, "synthetic": synthetic, "districts": checks })),
    )
        .into_response()
}

/// `GET /ready`: 200 when at least one district is up (the service can answer something), 503
/// when none is. For load balancers; `/health` says which.
async fn ready(State(state): State<AppState>) -> Response {
    let checks = check_districts(&state).await;
    let up: Vec<&str> = checks
        .iter()
        .filter(|c| c["status"] == "up")
        .filter_map(|c| c["city"].as_str())
        .collect();
    let down: Vec<&str> = checks
        .iter()
        .filter(|c| c["status"] != "up")
        .filter_map(|c| c["city"].as_str())
        .collect();
    let code = if up.is_empty() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (
        code,
        Json(json!({ "ready": !up.is_empty(), "up": up, "down": down })),
    )
        .into_response()
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "errors": [{ "message": "not found: GraphQL is served at /graphql, GraphiQL at /, the comparison page at /compare, files at /export/", "extensions": { "code": "NOT_FOUND" } }] }))).into_response()
}
