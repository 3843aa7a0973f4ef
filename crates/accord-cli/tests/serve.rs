//! `accord serve` end to end: a real process on a real socket, driven by a tiny HTTP/1.1
//! client.

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A scratch folder, removed afterwards.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "accord-serve-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn db(&self) -> String {
        format!("sqlite:{}", self.0.join("accord.db").display())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `accord serve ARGS` in `dir`, stdin empty, stderr to `dir/stderr.log`.
fn spawn(dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .arg("serve")
        .args(args)
        .env_remove("ACCORD_DATABASE_URL")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("stderr.log")).unwrap())
        .spawn()
        .unwrap()
}

/// `accord serve ARGS` in `dir`, run to its end.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .arg("serve")
        .args(args)
        .env_remove("ACCORD_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The server's stdout lines up to and including `listening on http://...`.
fn startup_lines(child: &mut Child, dir: &Path) -> Vec<String> {
    let stdout = child.stdout.take().unwrap();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_mins(2);
    let mut lines = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match receive.recv_timeout(left) {
            Ok(line) => {
                let done = line.starts_with("listening on http://");
                lines.push(line);
                if done {
                    return lines;
                }
            }
            Err(error) => {
                let _ = child.kill();
                let log = std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
                panic!("no listening line ({error}); stdout: {lines:?}; stderr:\n{log}");
            }
        }
    }
}

/// The text between the first pair of backticks after `label` in `line`.
fn quoted_after<'a>(line: &'a str, label: &str) -> &'a str {
    let rest = &line[line.find(label).unwrap() + label.len()..];
    let start = rest.find('`').unwrap() + 1;
    let end = start + rest[start..].find('`').unwrap();
    &rest[start..end]
}

/// One HTTP/1.1 request (`Connection: close`): the status and the body as JSON
/// (`Value::Null` when empty).
fn http(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_mins(1)))
        .unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    if let Some(token) = token {
        let _ = write!(request, "Authorization: Bearer {token}\r\n");
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, content) = response.split_once("\r\n\r\n").unwrap();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let chunked = head
        .lines()
        .any(|l| l.eq_ignore_ascii_case("transfer-encoding: chunked"));
    let content = if chunked {
        dechunk(content)
    } else {
        content.to_string()
    };
    let value = if content.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&content).unwrap_or(Value::String(content))
    };
    (status, value)
}

/// The payload of a chunked body.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
}

/// Sends SIGTERM and waits for the process to end; true when it ended by itself in time.
fn terminate(child: &mut Child) -> Option<i32> {
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status();
    if sent.is_ok_and(|s| s.success()) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn serves_the_example_case_to_the_generated_mediator() {
    let scratch = Scratch::new("example");
    let db = scratch.db();
    let mut child = spawn(
        &scratch.0,
        &["--db", &db, "--bind", "127.0.0.1:0", "--example"],
    );
    let lines = startup_lines(&mut child, &scratch.0);
    let created = lines
        .iter()
        .find(|l| l.starts_with("created the mediator account"))
        .unwrap_or_else(|| panic!("no password line: {lines:?}"));
    assert!(created.ends_with("(shown once)"), "{created}");
    assert_eq!(quoted_after(created, "username"), "mediator");
    let password = quoted_after(created, "password").to_string();
    assert!(password.len() >= 16, "{created}");
    let address = lines
        .last()
        .unwrap()
        .strip_prefix("listening on http://")
        .unwrap()
        .to_string();
    assert!(!address.ends_with(":0"), "{address}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("listening on"))
            .count(),
        1
    );

    let (status, login) = http(
        &address,
        "POST",
        "/api/login",
        None,
        Some(&json!({ "username": "mediator", "password": password })),
    );
    assert_eq!(status, 200, "{login}");
    let token = login["token"].as_str().unwrap().to_string();
    let (status, cases) = http(&address, "GET", "/api/cases", Some(&token), None);
    assert_eq!(status, 200, "{cases}");
    let names: Vec<&str> = cases
        .as_array()
        .unwrap_or_else(|| panic!("{cases}"))
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["Peace framework (illustrative)"], "{cases}");
    let (status, _) = http(&address, "GET", "/api/cases", None, None);
    assert_eq!(status, 401);

    // SIGTERM stops it cleanly.
    assert_eq!(terminate(&mut child), Some(0));

    // A second start on the same database neither creates the account again nor loads a
    // second case.
    let mut again = spawn(
        &scratch.0,
        &["--db", &db, "--bind", "127.0.0.1:0", "--example"],
    );
    let lines = startup_lines(&mut again, &scratch.0);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let address = lines[0].strip_prefix("listening on http://").unwrap();
    let (status, login) = http(
        address,
        "POST",
        "/api/login",
        None,
        Some(&json!({ "username": "mediator", "password": password })),
    );
    assert_eq!(status, 200, "{login}");
    let token = login["token"].as_str().unwrap();
    let (_, cases) = http(address, "GET", "/api/cases", Some(token), None);
    assert_eq!(cases.as_array().map(Vec::len), Some(1), "{cases}");
    let _ = again.kill();
    let _ = again.wait();
}

#[test]
fn without_example_and_terminal_it_hints_at_the_flag() {
    let scratch = Scratch::new("hint");
    let db = scratch.db();
    let mut child = spawn(&scratch.0, &["--db", &db, "--bind", "127.0.0.1:0"]);
    let lines = startup_lines(&mut child, &scratch.0);
    let _ = child.kill();
    let _ = child.wait();
    assert!(lines.iter().any(|l| l.contains("--example")), "{lines:?}");
    assert!(!lines.iter().any(|l| l.starts_with("loaded")), "{lines:?}");
}

#[test]
fn bad_database_url_and_taken_port_exit_2() {
    let scratch = Scratch::new("errors");
    let output = run(&scratch.0, &["--db", "nonsense", "--bind", "127.0.0.1:0"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("`nonsense`"), "{stderr}");
    assert!(output.stdout.is_empty());

    // The same from the environment variable.
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(&scratch.0)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("ACCORD_DATABASE_URL", "mysql://somewhere")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`mysql://somewhere`"), "{stderr}");

    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = run(&scratch.0, &["--db", &scratch.db(), "--bind", &address]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("`{address}`")), "{stderr}");
    assert!(output.stdout.is_empty(), "{:?}", output.stdout);
}

#[test]
fn limits_out_of_their_range_exit_2_naming_the_flag() {
    let scratch = Scratch::new("limits");
    for (flag, value) in [
        ("--analysis-threads", "0"),
        ("--analysis-threads", "many"),
        ("--analysis-seconds", "0"),
        ("--analyses-per-account", "0"),
    ] {
        let output = run(
            &scratch.0,
            &["--db", &scratch.db(), "--bind", "127.0.0.1:0", flag, value],
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
        assert!(
            stderr.contains(&format!("'{value}'")),
            "{flag} {value}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{flag} {value}");
    }
}
