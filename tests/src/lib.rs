//! Test support for driftmon's cross-crate tests (the tests themselves are in `tests/tests/`).
#![deny(missing_docs)]

use std::path::PathBuf;

pub mod aws;
pub mod bias;
pub mod servers;

/// The shared fixtures folder: `$DRIFTMON_SHARED_DIR`, else `../shared` beside the repository.
/// `None` (and a note on stderr) when it is absent, as in a user's own clone: tests then skip.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DRIFTMON_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    if dir.join("fixtures/sagemaker").is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: shared fixtures absent at {}", dir.display());
        None
    }
}

/// A SageMaker fixture file by its path under `fixtures/sagemaker/`.
pub fn fixture(rel: &str) -> Option<PathBuf> {
    shared_dir().map(|d| d.join("fixtures/sagemaker").join(rel))
}

/// The path of the `driftmon` binary built for these tests.
pub fn driftmon_bin() -> PathBuf {
    let mut p = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    p.pop();
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| p.join("target"));
    target.join(profile).join("driftmon")
}

/// A fresh temporary folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("driftmon-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// `cargo`, for a build started from inside a test, without the variables `cargo test` sets for
/// the test process (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`, …): build scripts that watch them
/// (ring's watches `CARGO_MANIFEST_DIR`) would otherwise rerun, and the TLS and AWS crates be
/// rebuilt twice, once here and once more by the next plain `cargo build`.
pub fn nested_cargo() -> std::process::Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k == "CARGO_MANIFEST_DIR"
            || k == "CARGO_MANIFEST_PATH"
            || k == "CARGO_MANIFEST_LINKS"
            || k == "CARGO_CRATE_NAME"
            || k == "CARGO_BIN_NAME"
            || k == "CARGO_PRIMARY_PACKAGE"
            || k == "CARGO_TARGET_TMPDIR"
            || k.starts_with("CARGO_PKG_")
        {
            cmd.env_remove(k.as_ref());
        }
    }
    cmd
}

/// Builds `bin` of `package` with `cargo build` (release when the tests are) and returns its path
/// next to the `driftmon` binary; if the build does not succeed, a binary already there is used.
fn build_bin(package: &str, bin: &str) -> PathBuf {
    let mut cmd = nested_cargo();
    cmd.args(["build", "--quiet", "-p", package, "--bin", bin])
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"));
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    let path = driftmon_bin().with_file_name(bin);
    match cmd.status() {
        Ok(s) if s.success() => {}
        other => eprintln!(
            "note: `cargo build --bin {bin}` did not succeed ({other:?}); using {}",
            path.display()
        ),
    }
    assert!(path.is_file(), "no {bin} binary at {}", path.display());
    path
}

/// The `driftmon` binary, built once per test process (`cargo test` builds only the libraries a
/// test crate depends on, so a binary left in `target/` could be stale or absent).
pub fn built_driftmon() -> &'static std::path::Path {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| build_bin("driftmon-monitor", "driftmon"))
}

/// The `driftmon-lambda` binary (`target/<profile>/driftmon-lambda`), built once per test process
/// with the Lambda crate's own (lean) features, as `cargo lambda build` and `scripts/test.sh` do.
pub fn built_lambda() -> &'static std::path::Path {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| build_bin("driftmon-lambda", "driftmon-lambda"))
}

/// A local AWS-compatible endpoint named by an environment variable (set by `scripts/test.sh`,
/// which starts the servers). `None`, with a note on stderr, when unset: the test then skips.
pub fn test_endpoint(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            eprintln!(
                "skipped: {var} is not set (scripts/test.sh starts moto and the CloudWatch proxy and sets it)"
            );
            None
        }
    }
}

/// A TCP proxy on loopback in front of a server, for fault tests: it forwards bytes both ways
/// and can "stop the server" once a number of response bytes went through (every connection is
/// cut and the port stops accepting), or answer the first connections with HTTP 503 SlowDown.
pub struct FaultProxy {
    port: u16,
    state: std::sync::Arc<ProxyState>,
}

#[derive(Default)]
struct ProxyState {
    down_bytes: std::sync::atomic::AtomicU64,
    cut_after: std::sync::atomic::AtomicU64,
    throttle_left: std::sync::atomic::AtomicU64,
    stopped: std::sync::atomic::AtomicBool,
    conns: std::sync::Mutex<Vec<std::net::TcpStream>>,
}

impl ProxyState {
    fn stop(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        if self.stopped.swap(true, SeqCst) {
            return;
        }
        if let Ok(mut c) = self.conns.lock() {
            for s in c.drain(..) {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
        }
    }
}

impl FaultProxy {
    /// A proxy to `upstream` (`http://host:port`), forwarding until told otherwise.
    pub fn start(upstream: &str) -> FaultProxy {
        use std::sync::atomic::Ordering::SeqCst;
        let addr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let state = std::sync::Arc::new(ProxyState {
            cut_after: u64::MAX.into(),
            ..Default::default()
        });
        let st = state.clone();
        std::thread::spawn(move || {
            // The listener is dropped (the port refuses connections) once the proxy is stopped.
            while !st.stopped.load(SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        let st = st.clone();
                        let addr = addr.clone();
                        std::thread::spawn(move || serve(client, &addr, &st));
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        });
        FaultProxy { port, state }
    }

    /// The proxy's URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Response bytes forwarded so far.
    pub fn bytes_down(&self) -> u64 {
        self.state
            .down_bytes
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Stops the "server" once `n` response bytes went through.
    pub fn cut_after(&self, n: u64) {
        self.state
            .cut_after
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// Answers the next `n` connections' first request with `503 SlowDown`.
    pub fn throttle(&self, n: u64) {
        self.state
            .throttle_left
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether the proxy has stopped.
    pub fn stopped(&self) -> bool {
        self.state.stopped.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.state.stop();
    }
}

fn serve(mut client: std::net::TcpStream, upstream: &str, st: &std::sync::Arc<ProxyState>) {
    use std::io::{Read, Write};
    use std::sync::atomic::Ordering::SeqCst;
    let throttled = st
        .throttle_left
        .fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if throttled {
        // Read the request head, answer 503 SlowDown, close.
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
            match client.read(&mut b) {
                Ok(1) => head.push(b[0]),
                _ => break,
            }
        }
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
        let _ = write!(
            client,
            "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = client.shutdown(std::net::Shutdown::Both);
        return;
    }
    let Ok(server) = std::net::TcpStream::connect(upstream) else {
        return;
    };
    if let Ok(mut c) = st.conns.lock() {
        if st.stopped.load(SeqCst) {
            return;
        }
        for s in [&client, &server] {
            if let Ok(s) = s.try_clone() {
                c.push(s);
            }
        }
    }
    let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(std::net::Shutdown::Write);
    });
    let mut server = server;
    let mut buf = [0u8; 8192];
    loop {
        let n = match server.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let total = st.down_bytes.fetch_add(n as u64, SeqCst) + n as u64;
        let cut = st.cut_after.load(SeqCst);
        if total >= cut {
            // Forward only up to the cut, then stop the "server" mid-response.
            let keep = n.saturating_sub((total - cut) as usize);
            let _ = client.write_all(&buf[..keep]);
            st.stop();
            break;
        }
        if client.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = client.shutdown(std::net::Shutdown::Both);
}

/// One data-quality job over `spec`'s window (no model quality, no metrics): what `driftmon run`
/// does with the same flags.
pub fn run_data_quality(
    spec: &driftmon_monitor::monitors::data_quality::RunSpec,
) -> Result<driftmon_monitor::job::RunOutcome, driftmon_monitor::monitors::RunError> {
    use driftmon_monitor::job::{run_once, Job};
    run_once(&Job::from_spec(spec, &Default::default()), None).map(|(o, _)| o)
}
