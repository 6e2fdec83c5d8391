//! The HTTP surface: `POST`/`GET /graphql`, GraphiQL at `/` with its assets built into the binary,
//! `GET /health` and `GET /ready`. Errors are JSON with a stable `extensions.code`; internal causes are logged,
//! never echoed.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use graphql::{DangqunSchema, codes};
use serde::Deserialize;
use serde_json::json;

#[derive(Clone)]
struct AppState {
    schema: DangqunSchema,
}

/// The router. Tests drive it on a random port; `dangqun serve` on the configured one.
pub fn app(schema: DangqunSchema, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/", get(graphiql))
        .route("/graphiql/{file}", get(graphiql_asset))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .fallback(not_found)
        // The handlers read the body as `Bytes`, which honours this limit (async-graphql-axum's
        // streaming extractor would not).
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(AppState { schema })
}

/// A request-level error (the body is not a GraphQL request at all), GraphQL-shaped.
fn request_error(status: StatusCode, message: impl Into<String>) -> Response {
    let body = json!({ "errors": [{ "message": message.into(), "extensions": { "code": codes::BAD_REQUEST } }] });
    (status, Json(body)).into_response()
}

/// The response header that tells how many SQL statements a request ran, across districts.
pub const STATEMENTS_HEADER: &str = "dangqun-sql-statements";

async fn run(state: &AppState, request: async_graphql::Request) -> Response {
    let executed = graphql::execute(&state.schema, request).await;
    let mut response = async_graphql_axum::GraphQLResponse::from(executed.response).into_response();
    response
        .headers_mut()
        .insert(STATEMENTS_HEADER, HeaderValue::from(executed.statements));
    response
}

async fn graphql_post(
    State(state): State<AppState>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
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
    if !value.get("query").is_some_and(serde_json::Value::is_string) {
        return request_error(
            StatusCode::BAD_REQUEST,
            "the body is not a GraphQL request: it needs a string `query` (and optional `variables`, `operationName`)",
        );
    }
    match serde_json::from_value::<async_graphql::Request>(value) {
        Ok(request) => run(&state, request).await,
        Err(e) => request_error(
            StatusCode::BAD_REQUEST,
            format!(
                "the body is not a GraphQL request (`query`, optional `variables` and `operationName`): {e}"
            ),
        ),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
}

async fn graphql_get(
    State(state): State<AppState>,
    params: Result<Query<GetParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return request_error(StatusCode::BAD_REQUEST, "the query string is malformed");
    };
    let Some(query) = params.query else {
        return request_error(StatusCode::BAD_REQUEST, "missing `query` parameter");
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
    run(&state, request).await
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
    (StatusCode::NOT_FOUND, Json(json!({ "errors": [{ "message": "not found: GraphQL is served at /graphql, GraphiQL at /", "extensions": { "code": "NOT_FOUND" } }] }))).into_response()
}
