//! A test server and a tiny HTTP/1.1 client (std only: the tests need no HTTP client crate).

use graphql::Districts;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A running service.
pub struct TestServer {
    pub addr: SocketAddr,
}

/// A fresh, empty folder under the system's temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("dangqun-e2e-{}-{n}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Where the districts of the test servers live, from `DANGQUN_TEST_BACKEND` (`tests/run.sh`
/// runs the suite once with each): `sqlite` (the default), `postgres` (every city in one
/// PostgreSQL database, the way districts may share a server), or `mixed` (Korla and Suzhou each
/// in a PostgreSQL database of its own, Taiyuan and Jinshan in SQLite files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Sqlite,
    Postgres,
    Mixed,
}

pub fn layout() -> Layout {
    match std::env::var("DANGQUN_TEST_BACKEND").as_deref() {
        Ok("postgres") => Layout::Postgres,
        Ok("mixed") => Layout::Mixed,
        Ok("sqlite") | Err(_) => Layout::Sqlite,
        Ok(other) => panic!("DANGQUN_TEST_BACKEND is `{other}`: use sqlite, postgres or mixed"),
    }
}

/// A fresh database name for this process.
pub fn unique_name(name: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("dq_{}_{n}_{clean}", std::process::id())
}

/// A configuration whose districts follow [`layout`], each in a fresh database.
pub fn config(name: &str) -> server::Config {
    let mut config = server::Config::with_data_dir(temp_dir(name));
    match layout() {
        Layout::Sqlite => {}
        Layout::Postgres => {
            let url = crate::pg::create_database(&unique_name(name));
            for (city, ..) in server::CITIES {
                config = config.with_database(city, url.clone());
            }
        }
        Layout::Mixed => {
            for city in ["korla", "suzhou"] {
                let url = crate::pg::create_database(&unique_name(&format!("{name}_{city}")));
                config = config.with_database(city, url);
            }
        }
    }
    config
}

/// Starts a service over freshly imported districts, on its own thread and runtime, so that it
/// outlives any one test.
pub fn start(name: &str) -> TestServer {
    serve(config(name), None, true)
}

/// Starts a service over these datasets instead of the cities' own (one district each, in the
/// given order).
pub fn start_with(name: &str, datasets: Vec<model::CityDataset>) -> TestServer {
    serve(config(name), Some(datasets), true)
}

/// Starts a service with this configuration over these datasets (one district each, in the
/// given order): cities the binary does not serve, too.
pub fn start_config_with(config: server::Config, datasets: Vec<model::CityDataset>) -> TestServer {
    serve(config, Some(datasets), true)
}

/// Starts a service over freshly imported districts that serves as an Apollo Federation
/// subgraph (`_entities`, `_service`).
pub fn start_federated(name: &str) -> TestServer {
    let mut config = config(name);
    config.federation = true;
    serve(config, None, true)
}

/// Starts a service with this configuration (its districts imported with the cities' own
/// datasets), whether or not every district is up.
pub fn start_config(config: server::Config) -> TestServer {
    serve(config, None, false)
}

fn serve(
    config: server::Config,
    datasets: Option<Vec<model::CityDataset>>,
    require_up: bool,
) -> TestServer {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = server::runtime().expect("runtime");
        runtime.block_on(async move {
            let districts = match datasets {
                None => {
                    let districts = server::prepare_districts(&config)
                        .await
                        .expect("districts import");
                    for d in districts.list().iter().filter(|_| require_up) {
                        d.ready().await.expect("district prepared");
                    }
                    districts
                }
                Some(datasets) => {
                    let mut list = Vec::new();
                    for dataset in datasets {
                        let city = dataset.city.id.clone();
                        let district =
                            server::district(&config, &city, Some(std::sync::Arc::new(dataset)));
                        district.ready().await.expect("district prepared");
                        list.push(district);
                    }
                    Districts::new(list)
                }
            };
            let http = config.http().expect("HTTP settings");
            let app = server::app(server::schema(districts, &config), http);
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("server started");
    TestServer { addr }
}

/// A Korla SQLite district as a newer dangqun would leave it: migrated, then marked with a
/// migration 99 this binary does not know. Returns its path.
pub fn database_from_the_future(name: &str) -> String {
    let path = temp_dir(name).join("korla.sqlite");
    let path = path.to_str().expect("utf-8 path").to_owned();
    server::runtime().expect("runtime").block_on(async {
        let district = store::District::open_setting(
            "korla",
            &path,
            store::DistrictOptions::default(),
        )
        .await
        .expect("migrate");
        district.close().await;
        let pool = sqlx::SqlitePool::connect(&format!("sqlite:{path}"))
            .await
            .expect("open the file");
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99, 'from the future', TRUE, x'00', 0)",
        )
        .execute(&pool)
        .await
        .expect("mark migration 99");
        pool.close().await;
    });
    path
}

/// The server most tests share.
pub fn shared() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| start("shared"))
}

/// A server like [`shared`] that resolves every field (`--resolve-every-field`): plain trees go
/// through the resolvers too, one statement per level, table and database.
pub fn shared_resolving() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let mut config = config("resolving");
        config.resolve_every_field = true;
        serve(config, None, true)
    })
}

/// Drops `table` from a district's SQLite file after its import: the district is up, and every
/// statement that reads the table fails.
pub fn drop_table(file: &std::path::Path, table: &str) {
    server::runtime().expect("runtime").block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", file.display()))
            .await
            .expect("open the district's file");
        sqlx::query(&format!("DROP TABLE {table}"))
            .execute(&pool)
            .await
            .expect("drop a table");
        pool.close().await;
    });
}

/// An HTTP response: status, headers (lower-case names) and body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    /// Every value of a header that may repeat (`vary`), in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// Sends one request with `Connection: close` and reads the whole reply.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Reply {
    let headers: Vec<(&str, &str)> = content_type
        .map(|ct| ("Content-Type", ct))
        .into_iter()
        .collect();
    request_with(addr, method, path, &headers, body)
}

/// [`request`] with any headers. Reads exactly one reply, framed as the server frames it, and
/// checks that nothing follows it before the server closes the connection.
pub fn request_with(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut connection = Connection::open(addr);
    let mut all = vec![("Connection", "close")];
    all.extend_from_slice(headers);
    connection.send(method, path, &all, body);
    let reply = connection
        .reply()
        .expect("a reply before the connection closed");
    assert!(
        connection.closed(),
        "bytes after the reply on a `Connection: close` request"
    );
    reply
}

/// One HTTP/1.1 connection, kept alive across requests unless a request says otherwise. Replies
/// are read by their framing (`Content-Length` or chunked), never by waiting for the close, so
/// a wrong `Content-Length` or a reply that runs into the next one fails the test.
pub struct Connection {
    stream: TcpStream,
    /// Bytes read past the last reply.
    pending: Vec<u8>,
    addr: SocketAddr,
}

impl Connection {
    pub fn open(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        Self {
            stream,
            pending: Vec::new(),
            addr,
        }
    }

    /// Writes a request with a `Content-Length` body.
    pub fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) {
        let length = body.len().to_string();
        let mut all = vec![("Content-Length", length.as_str())];
        all.extend_from_slice(headers);
        self.head(method, path, &all);
        self.write(body);
    }

    /// Writes a request line and headers (the caller says how the body is framed).
    pub fn head(&mut self, method: &str, path: &str, headers: &[(&str, &str)]) {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        self.write(head.as_bytes());
    }

    /// Writes bytes. A server may answer (an early 413) and close before it has read a whole
    /// body: the write then fails, as it would for any client, and the answer is there to read.
    /// Returns whether every byte was written.
    pub fn write(&mut self, bytes: &[u8]) -> bool {
        match self.stream.write_all(bytes) {
            Ok(()) => true,
            Err(e) => {
                assert!(
                    matches!(
                        e.kind(),
                        std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
                    ),
                    "write: {e}"
                );
                false
            }
        }
    }

    /// Reads more bytes into `pending`; `false` at the end of the stream (or a reset).
    fn fill(&mut self) -> bool {
        let mut buffer = [0u8; 16 * 1024];
        match self.stream.read(&mut buffer) {
            Ok(0) => false,
            Ok(n) => {
                self.pending.extend_from_slice(&buffer[..n]);
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => false,
            Err(e) => panic!("read reply: {e}"),
        }
    }

    /// Takes `n` bytes, reading until they are there.
    fn take(&mut self, n: usize, what: &str) -> Vec<u8> {
        while self.pending.len() < n {
            assert!(
                self.fill(),
                "the connection closed inside the {what} ({} of {n} bytes)",
                self.pending.len()
            );
        }
        self.pending.drain(..n).collect()
    }

    /// Takes a line ending in CRLF (without it).
    fn line(&mut self, what: &str) -> String {
        loop {
            if let Some(end) = self.pending.windows(2).position(|w| w == b"\r\n") {
                let line = self.take(end + 2, what);
                return String::from_utf8_lossy(&line[..end]).into_owned();
            }
            assert!(self.fill(), "the connection closed inside the {what}");
        }
    }

    /// Reads one reply; `None` when the server closed the connection before sending any byte.
    pub fn reply(&mut self) -> Option<Reply> {
        if self.pending.is_empty() && !self.fill() {
            return None;
        }
        let status_line = self.line("status line");
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("status line: {status_line:?}"));
        let mut headers = Vec::new();
        loop {
            let line = self.line("headers");
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("header line: {line:?}"));
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
        let value = |name: &str| -> Vec<&str> {
            headers
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        let chunked = value("transfer-encoding")
            .iter()
            .any(|v| v.eq_ignore_ascii_case("chunked"));
        let lengths = value("content-length");
        assert!(
            lengths.len() <= 1,
            "several Content-Length headers: {lengths:?}"
        );
        assert!(
            !chunked || lengths.is_empty(),
            "both chunked and a Content-Length"
        );
        let length: Option<usize> = lengths
            .first()
            .map(|v| v.parse().unwrap_or_else(|_| panic!("Content-Length {v:?}")));
        let body = if status / 100 == 1 || status == 204 || status == 304 {
            assert!(
                length.unwrap_or(0) == 0 || status == 304,
                "a {status} with a body"
            );
            Vec::new()
        } else if chunked {
            let mut body = Vec::new();
            loop {
                let size_line = self.line("chunk size");
                let size =
                    usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
                        .unwrap_or_else(|_| panic!("chunk size {size_line:?}"));
                if size == 0 {
                    // Trailers, then the empty line.
                    while !self.line("trailers").is_empty() {}
                    break body;
                }
                body.extend(self.take(size, "chunked body"));
                assert!(
                    self.line("chunk end").is_empty(),
                    "chunk longer than its size"
                );
            }
        } else if let Some(length) = length {
            self.take(length, "body")
        } else {
            // Framed by the close.
            while self.fill() {}
            std::mem::take(&mut self.pending)
        };
        Some(Reply {
            status,
            headers,
            body,
        })
    }

    /// Whether the server has closed the connection with nothing more to read (waiting up to
    /// the read timeout for it to do so).
    pub fn closed(&mut self) -> bool {
        self.pending.is_empty() && !self.fill()
    }
}

/// POSTs a JSON request `body` to `/graphql` as `application/json`, with any other headers.
pub fn post_json(addr: SocketAddr, headers: &[(&str, &str)], body: &Value) -> Reply {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    request_with(addr, "POST", "/graphql", &all, body.to_string().as_bytes())
}

/// POSTs a GraphQL query with variables and returns the JSON response and the number of SQL
/// statements the service says it ran for it.
pub fn graphql_counted(addr: SocketAddr, query: &str, variables: Value) -> (Value, u64) {
    let body = serde_json::json!({ "query": query, "variables": variables });
    let reply = post_json(addr, &[], &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let statements = reply
        .header("dangqun-sql-statements")
        .and_then(|v| v.parse().ok())
        .expect("statement count header");
    (reply.json(), statements)
}

/// The bytes the shared server answers `query` with (asserting HTTP 200).
pub fn shared_post(query: &str) -> Vec<u8> {
    let reply = post_json(shared().addr, &[], &serde_json::json!({ "query": query }));
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.body
}

/// POSTs a GraphQL query with variables and returns the JSON response (asserting HTTP 200).
pub fn graphql(addr: SocketAddr, query: &str, variables: Value) -> Value {
    let body = serde_json::json!({ "query": query, "variables": variables });
    let reply = post_json(addr, &[], &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

/// The `extensions.code` of every error in a response.
pub fn error_codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `text` percent-encoded for a URL's query string (everything but ASCII letters and digits).
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `dangqun serve` on a free port of its own, over a fresh data folder; killed when dropped.
pub struct Served {
    child: Child,
    pub addr: SocketAddr,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    pub fn start(name: &str, args: &[&str]) -> Self {
        Self::start_with_env(name, args, &[], Stdio::null())
    }

    /// [`Served::start`] with environment variables, and its standard error to `stderr`.
    pub fn start_with_env(name: &str, args: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let data = temp_dir(name);
        let child = Command::new(env!("CARGO_BIN_EXE_dangqun"))
            .arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            // Only the settings a test gives: nothing from the environment the suite runs in.
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start dangqun serve");
        let served = Self { child, addr };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if std::net::TcpStream::connect(addr).is_ok()
                && request_with(addr, "GET", "/ready", &[], b"").status == 200
            {
                return served;
            }
            assert!(
                Instant::now() < deadline,
                "dangqun serve did not become ready"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn post(&self, query: &str) -> Reply {
        post_json(self.addr, &[], &serde_json::json!({ "query": query }))
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
    }

    /// The exit status, once the process has exited within `limit` (`None` if it has not).
    pub fn exit_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for dangqun") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Peak resident memory of the process, in MiB.
    pub fn peak_rss_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("process status");
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM");
        kib / 1024
    }
}
