//! Prometheus metrics at `GET /metrics` (text exposition format 0.0.4):
//!
//! - `dangqun_requests_total{operation, outcome}`: GraphQL requests answered, by operation name
//!   and outcome (`ok`, `errors`: an answer with errors, `invalid`: a request that never ran);
//! - `dangqun_request_duration_seconds{operation}`: their latency, a histogram;
//! - `dangqun_sql_statements_total{operation}`: statements they ran;
//! - `dangqun_requests_refused_total{reason}`: requests turned away (`rate_limited`, `overloaded`,
//!   `timed_out`, `limit_exceeded`, `persisted_query`, `bad_request`);
//! - `dangqun_district_up{city}`, `dangqun_district_latency_seconds{city}`: each district, checked
//!   when the metrics are read.
//!
//! Operation names come from clients, so at most [`MAX_OPERATIONS`] distinct ones are kept; the
//! rest, and names that are not plain GraphQL names, count as `other`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

const MAX_OPERATIONS: usize = 100;
const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Debug, Default)]
struct State {
    requests: BTreeMap<(String, &'static str), u64>,
    durations: BTreeMap<String, Histogram>,
    statements: BTreeMap<String, u64>,
    refused: BTreeMap<&'static str, u64>,
}

/// The service's counters, shared by every request.
#[derive(Debug, Default)]
pub struct Metrics(Mutex<State>);

/// `name` as a label value: itself when it is a GraphQL name already known or while there is
/// room, `anonymous` without one, `other` otherwise.
fn operation_label(state: &State, name: Option<&str>) -> String {
    let Some(name) = name else {
        return "anonymous".to_owned();
    };
    let plain = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if plain && (state.durations.contains_key(name) || state.durations.len() < MAX_OPERATIONS) {
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

impl Metrics {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A GraphQL request answered.
    pub fn answered(
        &self,
        operation: Option<&str>,
        outcome: &'static str,
        took: Duration,
        statements: u64,
    ) {
        let mut state = self.state();
        let label = operation_label(&state, operation);
        *state.requests.entry((label.clone(), outcome)).or_default() += 1;
        *state.statements.entry(label.clone()).or_default() += statements;
        let h = state.durations.entry(label).or_default();
        let seconds = took.as_secs_f64();
        for (count, bound) in h.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    /// A request turned away, and why.
    pub fn refused(&self, reason: &'static str) {
        *self.state().refused.entry(reason).or_default() += 1;
    }

    /// The exposition text; `districts` are (city, up, latency) as checked now.
    pub fn render(&self, districts: &[(String, bool, Duration)]) -> String {
        let state = self.state();
        let mut out = String::new();
        family(
            &mut out,
            "dangqun_requests_total",
            "counter",
            "GraphQL requests answered, by operation name and outcome.",
        );
        for ((op, outcome), n) in &state.requests {
            let _ = writeln!(
                out,
                "dangqun_requests_total{{operation=\"{op}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        family(
            &mut out,
            "dangqun_request_duration_seconds",
            "histogram",
            "Time to answer a GraphQL request, by operation name.",
        );
        for (op, h) in &state.durations {
            for (count, bound) in h.counts.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "dangqun_request_duration_seconds_bucket{{operation=\"{op}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "dangqun_request_duration_seconds_bucket{{operation=\"{op}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "dangqun_request_duration_seconds_sum{{operation=\"{op}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "dangqun_request_duration_seconds_count{{operation=\"{op}\"}} {}",
                h.count
            );
        }
        family(
            &mut out,
            "dangqun_sql_statements_total",
            "counter",
            "SQL statements run for GraphQL requests, by operation name.",
        );
        for (op, n) in &state.statements {
            let _ = writeln!(
                out,
                "dangqun_sql_statements_total{{operation=\"{op}\"}} {n}"
            );
        }
        family(
            &mut out,
            "dangqun_requests_refused_total",
            "counter",
            "Requests turned away, by reason.",
        );
        for (reason, n) in &state.refused {
            let _ = writeln!(
                out,
                "dangqun_requests_refused_total{{reason=\"{reason}\"}} {n}"
            );
        }
        family(
            &mut out,
            "dangqun_district_up",
            "gauge",
            "Whether a district's database answered its check (1) or not (0).",
        );
        for (city, up, _) in districts {
            let _ = writeln!(
                out,
                "dangqun_district_up{{city=\"{city}\"}} {}",
                u8::from(*up)
            );
        }
        family(
            &mut out,
            "dangqun_district_latency_seconds",
            "gauge",
            "How long a district's check took.",
        );
        for (city, _, latency) in districts {
            let _ = writeln!(
                out,
                "dangqun_district_latency_seconds{{city=\"{city}\"}} {}",
                latency.as_secs_f64()
            );
        }
        out
    }
}

/// The `# HELP` and `# TYPE` lines of a metric family.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded_and_plain() {
        let m = Metrics::default();
        m.answered(Some("Rooms"), "ok", Duration::from_millis(3), 2);
        m.answered(Some("Rooms"), "errors", Duration::from_millis(30), 5);
        m.answered(None, "invalid", Duration::from_micros(100), 0);
        m.answered(Some("bad name\"}"), "ok", Duration::from_millis(1), 1);
        for i in 0..MAX_OPERATIONS + 3 {
            m.answered(Some(&format!("Op{i}")), "ok", Duration::ZERO, 0);
        }
        let text = m.render(&[("korla".to_owned(), true, Duration::from_millis(2))]);
        assert!(text.contains("dangqun_requests_total{operation=\"Rooms\",outcome=\"ok\"} 1\n"));
        assert!(
            text.contains("dangqun_requests_total{operation=\"Rooms\",outcome=\"errors\"} 1\n")
        );
        assert!(
            text.contains(
                "dangqun_requests_total{operation=\"anonymous\",outcome=\"invalid\"} 1\n"
            )
        );
        assert!(text.contains("dangqun_sql_statements_total{operation=\"Rooms\"} 7\n"));
        assert!(text.contains(
            "dangqun_request_duration_seconds_bucket{operation=\"Rooms\",le=\"0.005\"} 1\n"
        ));
        assert!(text.contains(
            "dangqun_request_duration_seconds_bucket{operation=\"Rooms\",le=\"0.05\"} 2\n"
        ));
        assert!(text.contains("dangqun_request_duration_seconds_count{operation=\"Rooms\"} 2\n"));
        assert!(text.contains("dangqun_district_up{city=\"korla\"} 1\n"));
        assert!(!text.contains("bad name"));
        // 100 labels kept (Rooms, anonymous, other and Op0…Op96); the rest count as `other`.
        assert!(text.contains("operation=\"Op96\""));
        assert!(!text.contains("operation=\"Op97\""));
        assert!(text.contains("dangqun_requests_total{operation=\"other\",outcome=\"ok\"} 7\n"));
    }
}
