//! Errors as clients see them: a clear message and a stable `extensions.code`. Internal causes
//! are logged, never echoed (no SQL, no paths, no stack traces).

use async_graphql::context::QueryPathSegment;
use async_graphql::{Context, Error, ErrorExtensions, PathSegment, Response};
use std::sync::Arc;
use store::StoreError;

/// The `extensions.code` values the service returns. They are part of the contract.
pub mod codes {
    /// The query text does not parse.
    pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The query parses but does not fit the schema (unknown field, wrong argument type…).
    pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// An argument has a value the service refuses (`first` over 100, an empty list…).
    pub const BAD_ARGUMENT: &str = "BAD_ARGUMENT";
    /// A city id that no district serves.
    pub const UNKNOWN_CITY: &str = "UNKNOWN_CITY";
    /// A cursor that was not issued by this service, or was altered.
    pub const INVALID_CURSOR: &str = "INVALID_CURSOR";
    /// A district's database cannot be reached, is not set up, or did not answer within its
    /// timeout. The error names the city (`extensions.city`); the other cities' data is in the
    /// answer, and the city's part is `null` or left out of merged lists.
    pub const DISTRICT_UNAVAILABLE: &str = "DISTRICT_UNAVAILABLE";
    /// A district is up but failed this request; the error names the city.
    pub const DISTRICT_ERROR: &str = "DISTRICT_ERROR";
    /// A request over one of the limits of cost, depth, aliases, root fields, directives or
    /// tokens (`extensions.limit` names it); nothing ran.
    pub const LIMIT_EXCEEDED: &str = "LIMIT_EXCEEDED";
    /// The service is answering as many requests as it can (HTTP 503, `Retry-After`).
    pub const OVERLOADED: &str = "OVERLOADED";
    /// The request took longer than the service allows (HTTP 503).
    pub const TIMED_OUT: &str = "TIMED_OUT";
    /// Too many requests from one client (HTTP 429, `Retry-After`).
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// The HTTP request itself is malformed (not JSON, not a GraphQL request, too large).
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    /// Anything else that went wrong inside the service.
    pub const INTERNAL: &str = "INTERNAL_SERVER_ERROR";
}

/// An error about one argument.
pub(crate) fn bad_argument(
    code: &'static str,
    argument: &str,
    message: impl Into<String>,
) -> Error {
    let argument = argument.to_owned();
    Error::new(message).extend_with(move |_, e| {
        e.set("code", code);
        e.set("argument", argument.clone());
    })
}

/// A district failed: log the cause, tell the client which city, and nothing else.
pub(crate) fn district(err: Arc<StoreError>) -> Error {
    let city = err.city().to_owned();
    let (code, message) = if err.is_unavailable() {
        tracing::warn!(error = %err, "district unavailable");
        (
            codes::DISTRICT_UNAVAILABLE,
            format!("district `{city}` is unavailable; the other cities answered"),
        )
    } else {
        tracing::error!(error = %err, "district failed");
        (
            codes::DISTRICT_ERROR,
            format!("district `{city}` could not answer"),
        )
    };
    Error::new(message).extend_with(move |_, e| {
        e.set("code", code);
        e.set("city", city.clone());
    })
}

/// Reports a district's failure as an error of the current field (at `index` of its list, when
/// given) while the field goes on with the other districts' data.
pub(crate) fn report(ctx: &Context<'_>, err: Arc<StoreError>, index: Option<usize>) {
    report_error(ctx, district(err), index);
}

/// Reports `error` as an error of the current field (at `index` of its list, when given)
/// without failing the field.
pub(crate) fn report_error(ctx: &Context<'_>, error: Error, index: Option<usize>) {
    let mut error = error.into_server_error(ctx.item.pos);
    let mut node = ctx.path_node.as_ref();
    let mut path = Vec::new();
    while let Some(n) = node {
        path.push(match n.segment {
            QueryPathSegment::Name(name) => PathSegment::Field(name.to_owned()),
            QueryPathSegment::Index(i) => PathSegment::Index(i),
        });
        node = n.parent;
    }
    path.reverse();
    error.path = path;
    if let Some(i) = index {
        error.path.push(PathSegment::Index(i));
    }
    ctx.add_error(error);
}

/// One `DISTRICT_UNAVAILABLE` and one `DISTRICT_ERROR` error per city: a district that is down,
/// or whose statement fails, fails every field that reaches it (each room's `equipment`…), and a
/// client needs to hear it once.
pub(crate) fn one_outage_per_city(mut response: Response) -> Response {
    let mut seen = std::collections::HashSet::new();
    response.errors.retain(|e| {
        let ext = e.extensions.as_ref();
        let code = ext.and_then(|x| x.get("code"));
        let city = ext.and_then(|x| x.get("city"));
        match (code, city) {
            (Some(async_graphql::Value::String(code)), Some(city))
                if code == codes::DISTRICT_UNAVAILABLE || code == codes::DISTRICT_ERROR =>
            {
                seen.insert((code.clone(), city.to_string()))
            }
            _ => true,
        }
    });
    response
}

/// Gives every error a code: async-graphql's own parse and validation errors come without one.
/// `pre_execution` is the code for errors with no path (they stopped the request before any field
/// ran); an uncoded error inside a field is internal.
pub(crate) fn with_codes(mut response: Response, pre_execution: &'static str) -> Response {
    for e in &mut response.errors {
        let has_code = e
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if !has_code {
            let argument = invalid_argument(&e.message);
            let code = match (&argument, e.path.is_empty()) {
                // A value the schema's types refuse (an unknown category, a string for an Int).
                (Some(_), _) => codes::BAD_ARGUMENT,
                (None, true) => pre_execution,
                (None, false) => codes::INTERNAL,
            };
            let extensions = e.extensions.get_or_insert_with(Default::default);
            extensions.set("code", code);
            if let Some(argument) = argument {
                extensions.set("argument", argument);
            }
        }
    }
    response
}

/// The argument path async-graphql names when a value does not fit its type:
/// `Invalid value for argument "filter.categories.0", …` gives `filter.categories.0`.
fn invalid_argument(message: &str) -> Option<String> {
    let rest = message.strip_prefix("Invalid value for argument \"")?;
    rest.split_once('"')
        .map(|(argument, _)| argument.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn refused_values_name_their_argument() {
        assert_eq!(
            super::invalid_argument(
                "Invalid value for argument \"filter.categories.0\", enumeration type \"RoomCategory\" does not contain the value \"FOO\""
            )
            .as_deref(),
            Some("filter.categories.0")
        );
        assert_eq!(super::invalid_argument("Unknown field \"x\""), None);
    }
}
