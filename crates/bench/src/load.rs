//! A closed-loop load generator over keep-alive HTTP/1.1 connections: each connection sends a
//! request, reads the whole answer (Content-Length or chunked), checks it, and sends the next.
//! Every answer during timing must be 200 without `errors`; a single other one fails the run.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A request, ready to be written again and again.
#[derive(Clone)]
pub struct Request {
    pub addr: SocketAddr,
    bytes: Vec<u8>,
}

impl Request {
    /// `POST /graphql` with a GraphQL query.
    pub fn graphql(addr: SocketAddr, query: &str) -> Self {
        let body = serde_json::json!({ "query": query }).to_string();
        let bytes = format!(
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes();
        Self { addr, bytes }
    }

    /// `GET path`.
    pub fn get(addr: SocketAddr, path: &str) -> Self {
        let bytes = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").into_bytes();
        Self { addr, bytes }
    }
}

/// An answer: status, the statements header if any, and the body.
pub struct Answer {
    pub status: u16,
    pub statements: Option<u64>,
    pub body: Vec<u8>,
}

/// One keep-alive connection.
pub struct Connection {
    stream: BufReader<TcpStream>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream: BufReader::new(stream),
        })
    }

    pub async fn send(&mut self, request: &Request) -> io::Result<Answer> {
        self.stream.get_mut().write_all(&request.bytes).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::other(format!("bad status line {line:?}")))?;
        let (mut length, mut chunked, mut statements) = (None, false, None);
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.parse::<usize>().ok(),
                    "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                    "dangqun-sql-statements" => statements = value.parse().ok(),
                    _ => {}
                }
            }
        }
        let body = if chunked {
            self.chunked().await?
        } else {
            let mut body = vec![0; length.unwrap_or(0)];
            self.stream.read_exact(&mut body).await?;
            body
        };
        Ok(Answer {
            status,
            statements,
            body,
        })
    }

    async fn chunked(&mut self) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| io::Error::other("bad chunk size"))?;
            let mut chunk = vec![0; size + 2];
            self.stream.read_exact(&mut chunk).await?;
            if size == 0 {
                return Ok(body);
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
}

/// Whether an answer is a success: 200 and no `errors` entry.
pub fn ok(answer: &Answer) -> bool {
    answer.status == 200 && !contains(&answer.body, b"\"errors\"")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What one timed run saw.
#[derive(Debug, Default)]
pub struct Measured {
    /// Latency of every request, in microseconds.
    pub latencies: Vec<u32>,
    pub elapsed: Duration,
    /// Answers that were not 200 without errors.
    pub failures: u64,
}

/// Sends `request` over `connections` connections for `duration`.
pub async fn run(
    request: &Request,
    connections: usize,
    duration: Duration,
) -> io::Result<Measured> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Connection::open(request.addr).await?;
            let mut latencies = Vec::new();
            let mut failures = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let answer = conn.send(&request).await?;
                latencies.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                if !ok(&answer) {
                    failures += 1;
                }
            }
            Ok::<_, io::Error>((latencies, failures))
        }));
    }
    let mut measured = Measured::default();
    for task in tasks {
        let (latencies, failures) = task.await.map_err(io::Error::other)??;
        measured.latencies.extend(latencies);
        measured.failures += failures;
    }
    measured.elapsed = started.elapsed();
    Ok(measured)
}

/// The `p`th percentile (0–100) of sorted latencies, in milliseconds.
pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    f64::from(sorted[rank.min(sorted.len() - 1)]) / 1000.0
}
