//! Local servers the end-to-end tests talk to: moto through boto3 (an independent client) and
//! an aiosmtpd SMTP sink (`tests/support/smtp_sink.py`).

use std::io::BufRead;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{temp_dir, test_endpoint};

/// `name` made unique to this test process (reruns against the same servers do not collide).
pub fn unique(name: &str) -> String {
    static STAMP: OnceLock<String> = OnceLock::new();
    let stamp = STAMP.get_or_init(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        format!("{}-{}", std::process::id(), t % 100_000_000)
    });
    format!("{name}-{stamp}")
}

/// The Python of the test venv (`DRIFTMON_TEST_PYTHON`, set by `scripts/test.sh`).
pub fn python() -> Option<String> {
    test_endpoint("DRIFTMON_TEST_PYTHON")
}

/// Calls a boto3 SageMaker client method (`create_pipeline`, …) on moto; returns its response.
pub fn boto3(python: &str, moto: &str, method: &str, args: Value) -> Value {
    const SCRIPT: &str = r#"
import json, sys, boto3
endpoint, method, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
c = boto3.client("sagemaker", endpoint_url=endpoint, region_name="us-east-1",
                 aws_access_key_id="testing", aws_secret_access_key="testing")
out = getattr(c, method)(**args)
out.pop("ResponseMetadata", None)
print(json.dumps(out, default=str))
"#;
    let out = Command::new(python)
        .args(["-c", SCRIPT, moto, method, &args.to_string()])
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "boto3 {method} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("boto3 printed JSON")
}

/// `tests/support/smtp_sink.py`, running; killed on drop.
pub struct SmtpSink {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    dir: PathBuf,
}

impl SmtpSink {
    /// Starts it, with SMTP AUTH for one user when `login` is given.
    pub fn start(python: &str, name: &str, login: Option<(&str, &str)>) -> SmtpSink {
        let dir = temp_dir(&unique(name));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/smtp_sink.py");
        let mut cmd = Command::new(python);
        cmd.arg(&script).arg(dir.join("mail"));
        if let Some((u, p)) = login {
            cmd.args(["--user", u, "--password", p]);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start smtp_sink.py");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read READY");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("smtp_sink.py did not start: {line:?}"));
        SmtpSink { child, port, dir }
    }

    /// The messages received, waiting up to 10 s for `n` of them.
    pub fn messages(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.join("mail"))
                .map(|d| {
                    d.filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.extension().is_some_and(|x| x == "json"))
                        .collect()
                })
                .unwrap_or_default();
            if files.len() >= n || Instant::now() > deadline {
                files.sort();
                return files
                    .iter()
                    .map(|f| {
                        serde_json::from_slice(&std::fs::read(f).expect("read message"))
                            .expect("message JSON")
                    })
                    .collect();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
