//! Durability: every write `accord serve` acknowledges survives the server being killed.
//!
//! The server runs as a child process on a database of its own: an SQLite file always, and
//! a fresh PostgreSQL database when `ACCORD_TEST_DATABASE_URL` names a server. Writer
//! threads create accounts over HTTP while the server is killed with SIGKILL, so that no
//! shutdown code runs and writes are in flight; the server is restarted on the same
//! database, and every account it answered `201 Created` for must be there. An account
//! whose request got no answer may or may not be. This happens at several kill points in a
//! row on the same database, so recovery from one crash is itself crashed into.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use accord_store::testing::{self, Scratch};

/// Threads writing at once, so that several writes are in flight when the server dies.
const WRITERS: usize = 4;
/// When to kill the server, counted from the first write (and never before one write is
/// acknowledged, so that each round checks something).
const KILL_AFTER_MS: [u64; 3] = [150, 400, 800];
/// How long a server may take to start, or to answer one request.
const PATIENCE: Duration = Duration::from_mins(1);

#[test]
fn acknowledged_writes_survive_a_kill_on_sqlite() {
    let scratch = scratch(testing::sqlite()).expect("SQLite is always there");
    check_durability(&scratch.url, "sqlite");
}

#[test]
fn acknowledged_writes_survive_a_kill_on_postgres() {
    let Some(scratch) = scratch(testing::postgres()) else {
        eprintln!(
            "{} is not set: PostgreSQL not tested",
            testing::DATABASE_URL_VAR
        );
        return;
    };
    check_durability(&scratch.url, "postgres");
}

/// A scratch database, with the test's own connections closed so that only the server
/// uses it.
fn scratch(
    make: impl Future<Output = Result<impl Into<Option<Scratch>>, accord_store::StoreError>>,
) -> Option<Scratch> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let scratch = make.await.expect("a scratch database").into()?;
        scratch.store.close().await;
        Some(scratch)
    })
}

/// Runs the kill-and-restart rounds on the database at `url`.
fn check_durability(url: &str, backend: &str) {
    let log = std::env::temp_dir().join(format!(
        "accord-durability-{backend}-{}.log",
        std::process::id()
    ));
    let _ = fs_err::remove_file(&log);
    let mut server = Server::start(url, &log);
    let password = server
        .password
        .clone()
        .unwrap_or_else(|| server.fail("the first start printed no mediator password"));
    let mut token = server.login(&password);
    let mut acknowledged = BTreeSet::new();
    for (round, kill_after_ms) in KILL_AFTER_MS.into_iter().enumerate() {
        let acks = Arc::new(Mutex::new(Vec::new()));
        let killed = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let address = server.address.clone();
                let token = token.clone();
                let prefix = format!("user-{round}-{writer}");
                let acks = Arc::clone(&acks);
                let killed = Arc::clone(&killed);
                thread::spawn(move || write_accounts(&address, &token, &prefix, &acks, &killed))
            })
            .collect();
        let started = Instant::now();
        let kill_after = Duration::from_millis(kill_after_ms);
        while started.elapsed() < kill_after || acks.lock().unwrap().is_empty() {
            if started.elapsed() > PATIENCE || writers.iter().any(thread::JoinHandle::is_finished) {
                break;
            }
            thread::sleep(Duration::from_millis(2));
        }
        let killed_at = started.elapsed();
        // The flag goes up first, so that writers take the errors that follow for the kill.
        killed.store(true, Ordering::SeqCst);
        server.kill();
        let mut in_flight = 0;
        for writer in writers {
            match writer.join().expect("a writer thread") {
                Ok(unanswered) => in_flight += unanswered,
                Err(error) => server.fail(&format!("round {round}: {error}")),
            }
        }
        let acks = std::mem::take(&mut *acks.lock().unwrap());
        if acks.is_empty() {
            server.fail(&format!(
                "round {round}: no write acknowledged in {PATIENCE:?}"
            ));
        }
        let n_acks = acks.len();
        acknowledged.extend(acks);

        server = Server::start(url, &log);
        if server.password.is_some() {
            server.fail("a restart created the mediator account again");
        }
        token = server.login(&password);
        let (status, body) = server.request("GET", "/api/accounts", Some(&token), None);
        if status != 200 {
            server.fail(&format!("GET /api/accounts: {status} {body}"));
        }
        let present: BTreeSet<String> = body
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|account| account["username"].as_str().map(str::to_string))
            .collect();
        let missing: Vec<_> = acknowledged.difference(&present).collect();
        if !missing.is_empty() {
            server.fail(&format!(
                "round {round}: {} acknowledged accounts are missing after the kill: {missing:?}",
                missing.len()
            ));
        }
        eprintln!(
            "{backend}: round {round}: killed after {} ms with {in_flight} writes in flight; \
             {n_acks} acknowledged this round, all {} so far present",
            killed_at.as_millis(),
            acknowledged.len()
        );
    }
    drop(server);
    let _ = fs_err::remove_file(&log);
}

/// Creates accounts `PREFIX-0`, `PREFIX-1`, ... until the server goes away, recording each
/// one the server acknowledged. Returns how many requests got no answer (0 or 1), or what
/// went wrong before the kill.
fn write_accounts(
    address: &str,
    token: &str,
    prefix: &str,
    acks: &Mutex<Vec<String>>,
    killed: &AtomicBool,
) -> Result<usize, String> {
    for n in 0_u64.. {
        let username = format!("{prefix}-{n}");
        let body = json!({ "username": username, "role": "observer",
                           "password": format!("password-{n}") });
        match http(address, "POST", "/api/accounts", Some(token), Some(&body)) {
            Ok((201, answer)) if answer["account"]["username"] == username.as_str() => {
                acks.lock().unwrap().push(username);
            }
            // Refused: the server was gone before the request left.
            Err(error)
                if killed.load(Ordering::SeqCst)
                    && error.kind() == io::ErrorKind::ConnectionRefused =>
            {
                return Ok(0);
            }
            Err(_) if killed.load(Ordering::SeqCst) => return Ok(1),
            Err(error) => return Err(format!("POST {username}: {error}")),
            Ok((status, answer)) => return Err(format!("POST {username}: {status} {answer}")),
        }
    }
    unreachable!("the server went away before 2^64 accounts")
}

/// A running `accord serve`.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    address: String,
    /// The mediator's password, when this start created the account.
    password: Option<String>,
    /// The server's stderr, for failure messages.
    log: PathBuf,
}

impl Server {
    /// Starts `accord serve` on `url` and a free port, and waits for it to listen.
    fn start(url: &str, log: &Path) -> Self {
        let stderr = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("the server's log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["serve", "--db", url, "--bind", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .expect("starting accord serve");
        // A thread reads stdout to its end, so that the server never blocks on a full pipe.
        let stdout = child.stdout.take().expect("piped stdout");
        let (lines, received) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = lines.send(line);
            }
        });
        let mut server = Self {
            child,
            address: String::new(),
            password: None,
            log: log.to_path_buf(),
        };
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match received.recv_timeout(left) {
                Ok(line) => line,
                Err(error) => server.fail(&format!("no `listening on` line: {error}")),
            };
            if let Some(address) = line.strip_prefix("listening on http://") {
                server.address = address.trim().to_string();
                return server;
            }
            if let Some((_, rest)) = line.split_once("password `") {
                server.password = rest
                    .split_once('`')
                    .map(|(password, _)| password.to_string());
            }
        }
    }

    /// Logs in as the mediator and returns the session token.
    fn login(&self, password: &str) -> String {
        let body = json!({ "username": "mediator", "password": password });
        let (status, answer) = self.request("POST", "/api/login", None, Some(&body));
        match answer["token"].as_str() {
            Some(token) if status == 200 => token.to_string(),
            _ => self.fail(&format!("login: {status} {answer}")),
        }
    }

    /// One request that must get an answer.
    fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        http(&self.address, method, path, token, body)
            .unwrap_or_else(|error| self.fail(&format!("{method} {path}: {error}")))
    }

    /// Kills the server with SIGKILL: no shutdown code runs.
    fn kill(&mut self) {
        self.child.kill().expect("killing the server");
        self.child.wait().expect("reaping the server");
    }

    /// Fails the test with the server's log.
    fn fail(&self, message: &str) -> ! {
        let log = fs_err::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<_> = log.lines().rev().take(40).collect();
        let mut tail = tail
            .into_iter()
            .rev()
            .fold(String::new(), |mut text, line| {
                let _ = writeln!(text, "  {line}");
                text
            });
        if tail.is_empty() {
            tail = "  (empty)\n".to_string();
        }
        panic!("{message}\nserver log {}:\n{tail}", self.log.display());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on a fresh connection: the status and the JSON body (`Null` when
/// empty). A response cut short is an error, never a status.
fn http(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> io::Result<(u16, Value)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_write_timeout(Some(PATIENCE))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(token) = token {
        let _ = write!(request, "Authorization: Bearer {token}\r\n");
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream.write_all(request.as_bytes())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    parse_response(&response)
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Splits a whole HTTP/1.1 response into its status and JSON body, checking that the body
/// is complete (`Content-Length` or chunked).
fn parse_response(response: &[u8]) -> io::Result<(u16, Value)> {
    let split = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or_else(|| invalid("a response without the end of its head"))?;
    let head = std::str::from_utf8(&response[..split]).map_err(|e| invalid(e.to_string()))?;
    let mut body = response[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid(format!("a bad status line in `{head}`")))?;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            let length: usize = value
                .parse()
                .map_err(|_| invalid(format!("Content-Length `{value}`")))?;
            if body.len() != length {
                return Err(invalid(format!(
                    "a body of {} bytes, not {length}",
                    body.len()
                )));
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") && value.contains("chunked") {
            body = dechunk(&body)?;
        }
    }
    if body.is_empty() {
        return Ok((status, Value::Null));
    }
    let value = serde_json::from_slice(&body).map_err(|e| invalid(e.to_string()))?;
    Ok((status, value))
}

/// The content of a chunked body, which must end with its last (empty) chunk.
fn dechunk(mut chunked: &[u8]) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let end = chunked
            .windows(2)
            .position(|window| window == b"\r\n")
            .ok_or_else(|| invalid("a chunk without its size line"))?;
        let size = std::str::from_utf8(&chunked[..end])
            .ok()
            .and_then(|line| usize::from_str_radix(line.split(';').next()?.trim(), 16).ok())
            .ok_or_else(|| invalid("a bad chunk size"))?;
        chunked = &chunked[end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if chunked.len() < size + 2 {
            return Err(invalid("a chunk cut short"));
        }
        body.extend_from_slice(&chunked[..size]);
        chunked = &chunked[size + 2..];
    }
}
