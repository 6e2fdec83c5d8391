//! `dangqun-bench`: the benchmark's own pieces (bench/run.sh drives them).
//!
//! - `floor`: serves the four queries from hand-written SQL (see `floor`).
//! - `run`: against servers already running, checks every server's answer to each query against
//!   the floor's, then measures them side by side (rounds interleaved: each round times every
//!   query on every server in turn) and appends one JSON line per (query, server) to `--out`.
//! - `report`: prints the JSON lines as one table, with each figure's ratio to PostGraphile's
//!   and to the floor's at the same scale and backend.

mod floor;
mod load;
mod queries;

use clap::{Parser, Subcommand};
use queries::{Kind, QUERIES, Query};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "dangqun-bench",
    about = "dangqun's benchmark: the floor, the load, the table"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the four queries from hand-written SQL over a PostgreSQL database.
    Floor {
        #[arg(long)]
        database: String,
        #[arg(long)]
        listen: SocketAddr,
        /// City ids in dangqun's order, comma-separated.
        #[arg(long, value_delimiter = ',')]
        cities: Vec<String>,
    },
    /// Check and measure running servers.
    Run {
        /// A label for the data: `1x`, `100x`.
        #[arg(long)]
        scale: String,
        /// A server: `NAME=KIND=ADDR[=PID]`, KIND one of dangqun, postgraphile, floor (repeat).
        #[arg(long = "target", required = true)]
        targets: Vec<String>,
        /// The PostgreSQL database the PostgreSQL-backed servers read, for their statement
        /// counts (pg_stat_statements).
        #[arg(long)]
        pg_url: Option<String>,
        /// The room query (d) asks for.
        #[arg(long)]
        room_id: String,
        #[arg(long, default_value_t = 16)]
        connections: usize,
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        #[arg(long, default_value_t = 1)]
        warmup: u64,
        #[arg(long, default_value_t = 2)]
        rounds: usize,
        /// Time only these queries (`deep`, `flat`, `compare`, `room`; repeat). All four by
        /// default.
        #[arg(long = "query")]
        only: Vec<String>,
        /// JSON lines are appended here.
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the table of a results file.
    Report { results: PathBuf },
}

struct Target {
    name: String,
    kind: Kind,
    addr: SocketAddr,
    pid: Option<u32>,
}

fn parse_target(s: &str) -> Result<Target, String> {
    let parts: Vec<&str> = s.split('=').collect();
    let bad = || format!("`{s}` is not NAME=KIND=ADDR[=PID]");
    if parts.len() < 3 {
        return Err(bad());
    }
    Ok(Target {
        name: parts[0].to_owned(),
        kind: Kind::parse(parts[1]).ok_or_else(bad)?,
        addr: parts[2].parse().map_err(|_| bad())?,
        pid: parts.get(3).and_then(|p| p.parse().ok()),
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dangqun-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Floor {
                database,
                listen,
                cities,
            } => serve_floor(&database, listen, cities).await,
            Command::Run {
                scale,
                targets,
                pg_url,
                room_id,
                connections,
                seconds,
                warmup,
                rounds,
                only,
                out,
            } => {
                if let Some(unknown) = only
                    .iter()
                    .find(|name| !QUERIES.iter().any(|q| q.name() == name.as_str()))
                {
                    return Err(format!(
                        "unknown query {unknown}: deep, flat, compare or room"
                    ));
                }
                let targets = targets
                    .iter()
                    .map(|t| parse_target(t))
                    .collect::<Result<Vec<_>, _>>()?;
                let settings = Settings {
                    connections,
                    seconds: Duration::from_secs(seconds),
                    warmup: Duration::from_secs(warmup),
                    rounds,
                    only,
                };
                run(
                    &scale,
                    &targets,
                    pg_url.as_deref(),
                    &room_id,
                    settings,
                    &out,
                )
                .await
            }
            Command::Report { results } => report(&results),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dangqun-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve_floor(
    database: &str,
    listen: SocketAddr,
    cities: Vec<String>,
) -> Result<(), String> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(10)
        .connect(database)
        .await
        .map_err(|e| format!("floor: cannot connect: {e}"))?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("floor: cannot listen on {listen}: {e}"))?;
    eprintln!("floor listening on {listen}");
    axum::serve(listener, floor::app(pool, cities))
        .await
        .map_err(|e| e.to_string())
}

#[derive(Clone)]
struct Settings {
    connections: usize,
    seconds: Duration,
    warmup: Duration,
    rounds: usize,
    /// The queries timed; all when empty.
    only: Vec<String>,
}

impl Settings {
    fn timed(&self, query: Query) -> bool {
        self.only.is_empty() || self.only.iter().any(|name| name == query.name())
    }
}

fn request(target: &Target, query: Query, room_id: &str) -> load::Request {
    match query.graphql(target.kind, room_id) {
        Some(text) => load::Request::graphql(target.addr, &text),
        None => load::Request::get(target.addr, &query.floor_path(room_id)),
    }
}

/// User plus system CPU time of a process, from /proc.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Linux reports in USER_HZ, 100 per second on every platform it runs on here.
    Some(Duration::from_millis(ticks * 10))
}

/// Peak resident memory of a process (VmHWM), in MiB.
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Statements the database ran, from pg_stat_statements.
async fn pg_statements(pool: &sqlx::PgPool) -> Result<i64, String> {
    sqlx::query_scalar::<_, Option<i64>>(
        "SELECT CAST(sum(calls) AS BIGINT) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(pool)
    .await
    .map(|n| n.unwrap_or(0))
    .map_err(|e| format!("pg_stat_statements: {e}"))
}

/// Statements per request: the header where the server sends one, else the database's count
/// over a few sequential requests (only this tool talks to the database meanwhile).
async fn statements_per_request(
    target: &Target,
    request: &load::Request,
    pg: Option<&sqlx::PgPool>,
) -> Result<Option<f64>, String> {
    let mut conn = load::Connection::open(target.addr)
        .await
        .map_err(|e| format!("{}: {e}", target.name))?;
    let answer = conn.send(request).await.map_err(|e| e.to_string())?;
    if let Some(n) = answer.statements {
        return Ok(Some(n as f64));
    }
    let Some(pg) = pg else { return Ok(None) };
    const N: i64 = 20;
    let before = pg_statements(pg).await?;
    for _ in 0..N {
        conn.send(request).await.map_err(|e| e.to_string())?;
    }
    let after = pg_statements(pg).await?;
    // The count's own statement runs once between the two readings.
    Ok(Some((after - before - 1) as f64 / N as f64))
}

async fn run(
    scale: &str,
    targets: &[Target],
    pg_url: Option<&str>,
    room_id: &str,
    settings: Settings,
    out: &PathBuf,
) -> Result<(), String> {
    let pg = match pg_url {
        Some(url) => Some(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await
                .map_err(|e| format!("cannot connect to {url}: {e}"))?,
        ),
        None => None,
    };
    let floor = targets
        .iter()
        .find(|t| t.kind == Kind::Floor)
        .ok_or("a floor target is needed: answers are checked against it")?;
    // 1. Every answer equals the floor's, before any timing.
    let mut statements = BTreeMap::new();
    for query in QUERIES {
        let expected = answer(floor, query, room_id).await?;
        let rows = query.rows(Kind::Floor, &expected);
        if rows == Value::Null || rows == json!([]) {
            return Err(format!(
                "{scale} {}: the floor's answer is empty",
                query.name()
            ));
        }
        for target in targets {
            let got = answer(target, query, room_id).await?;
            let got_rows = query.rows(target.kind, &got);
            if got_rows != rows {
                return Err(format!(
                    "{scale} {}: {} answers differently from the floor:\n  {}\nexpected\n  {}",
                    query.name(),
                    target.name,
                    truncate(&got_rows.to_string()),
                    truncate(&rows.to_string())
                ));
            }
            let n = statements_per_request(target, &request(target, query, room_id), pg.as_ref())
                .await?;
            statements.insert((query.name(), target.name.clone()), n);
        }
        eprintln!(
            "{scale} {}: every server gives the floor's answer",
            query.name()
        );
    }
    // 2. Timed rounds, interleaved.
    let mut latencies: BTreeMap<(&str, String), Vec<u32>> = BTreeMap::new();
    let mut elapsed: BTreeMap<(&str, String), Duration> = BTreeMap::new();
    let mut cpu: BTreeMap<(&str, String), Duration> = BTreeMap::new();
    for round in 1..=settings.rounds {
        for query in QUERIES.into_iter().filter(|q| settings.timed(*q)) {
            for target in targets {
                let req = request(target, query, room_id);
                load::run(&req, settings.connections, settings.warmup)
                    .await
                    .map_err(|e| format!("{}: {e}", target.name))?;
                let cpu_before = target.pid.and_then(cpu_time);
                let m = load::run(&req, settings.connections, settings.seconds)
                    .await
                    .map_err(|e| format!("{}: {e}", target.name))?;
                let cpu_after = target.pid.and_then(cpu_time);
                if m.failures > 0 {
                    return Err(format!(
                        "{scale} {} on {}: {} answers were not 200 without errors",
                        query.name(),
                        target.name,
                        m.failures
                    ));
                }
                let key = (query.name(), target.name.clone());
                if let (Some(b), Some(a)) = (cpu_before, cpu_after) {
                    *cpu.entry(key.clone()).or_default() += a.saturating_sub(b);
                }
                eprintln!(
                    "{scale} round {round}: {} on {}: {:.0} req/s",
                    query.name(),
                    target.name,
                    m.latencies.len() as f64 / m.elapsed.as_secs_f64()
                );
                *elapsed.entry(key.clone()).or_default() += m.elapsed;
                latencies.entry(key).or_default().extend(m.latencies);
            }
        }
    }
    // 3. One JSON line per (query, server).
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    for ((query, name), mut lat) in latencies {
        lat.sort_unstable();
        let key = (query, name.clone());
        let target = targets.iter().find(|t| t.name == name);
        let seconds = elapsed.get(&key).map_or(1.0, Duration::as_secs_f64);
        let requests = lat.len() as f64;
        let line = json!({
            "scale": scale,
            "query": query,
            "server": name,
            "kind": format!("{:?}", target.map(|t| t.kind)),
            "rps": requests / seconds,
            "p50": load::percentile(&lat, 50.0),
            "p95": load::percentile(&lat, 95.0),
            "p99": load::percentile(&lat, 99.0),
            "cpuMsPerRequest": cpu.get(&key).map(|c| c.as_secs_f64() * 1000.0 / requests),
            "peakRssMiB": target.and_then(|t| t.pid).and_then(peak_rss_mib),
            "statements": statements.get(&key).copied().flatten(),
            "connections": settings.connections,
        });
        writeln!(file, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

async fn answer(target: &Target, query: Query, room_id: &str) -> Result<Value, String> {
    let mut conn = load::Connection::open(target.addr)
        .await
        .map_err(|e| format!("{}: cannot connect to {}: {e}", target.name, target.addr))?;
    let answer = conn
        .send(&request(target, query, room_id))
        .await
        .map_err(|e| format!("{}: {e}", target.name))?;
    if !load::ok(&answer) {
        return Err(format!(
            "{} {}: status {}: {}",
            target.name,
            query.name(),
            answer.status,
            truncate(&String::from_utf8_lossy(&answer.body))
        ));
    }
    serde_json::from_slice(&answer.body).map_err(|e| format!("{}: not JSON: {e}", target.name))
}

fn truncate(s: &str) -> String {
    s.chars().take(600).collect()
}

fn report(results: &PathBuf) -> Result<(), String> {
    let text = std::fs::read_to_string(results)
        .map_err(|e| format!("cannot read {}: {e}", results.display()))?;
    let lines: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let find = |scale: &Value, query: &Value, kind: &str| {
        lines
            .iter()
            .find(|l| l["scale"] == *scale && l["query"] == *query && l["kind"] == kind)
            .cloned()
    };
    let mut out = std::io::stdout().lock();
    let f = |v: &Value, digits: usize| {
        v.as_f64()
            .map_or("–".to_owned(), |x| format!("{x:.digits$}"))
    };
    let io = |e: std::io::Error| e.to_string();
    writeln!(
        out,
        "| scale | query | server | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req | peak RSS MiB | statements/req | req/s ÷ PostGraphile | p99 ÷ PostGraphile | req/s ÷ floor |"
    )
    .map_err(io)?;
    writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|---|").map_err(io)?;
    for l in &lines {
        let pg = find(&l["scale"], &l["query"], "Some(PostGraphile)");
        let fl = find(&l["scale"], &l["query"], "Some(Floor)");
        let ratio = |other: &Option<Value>, field: &str| {
            other
                .as_ref()
                .and_then(|o| Some(l[field].as_f64()? / o[field].as_f64()?))
                .map_or("–".to_owned(), |r| format!("{r:.2}×"))
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            l["scale"].as_str().unwrap_or(""),
            l["query"].as_str().unwrap_or(""),
            l["server"].as_str().unwrap_or(""),
            f(&l["rps"], 0),
            f(&l["p50"], 2),
            f(&l["p95"], 2),
            f(&l["p99"], 2),
            f(&l["cpuMsPerRequest"], 3),
            f(&l["peakRssMiB"], 1),
            f(&l["statements"], 1),
            ratio(&pg, "rps"),
            ratio(&pg, "p99"),
            ratio(&fl, "rps"),
        )
        .map_err(io)?;
    }
    Ok(())
}
