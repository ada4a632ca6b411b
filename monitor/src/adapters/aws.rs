//! Shared AWS plumbing for the S3 store and the CloudWatch sink: one Tokio runtime, one HTTPS
//! client, and the SDK configuration from the standard chain.
//!
//! driftmon's engine is synchronous (worker threads that read and profile objects). The AWS SDK is
//! async, so the adapters drive it on a small multi-threaded runtime owned by this module and block
//! on it from the engine's threads. Nothing here reads driftmon's own files: credentials, region
//! and endpoint come from `aws_config::defaults(BehaviorVersion::latest())` — the environment
//! (`AWS_ACCESS_KEY_ID`, `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3`, …), the shared
//! config and credentials files, web identity, ECS task roles and EC2 instance profiles.
//!
//! Retries: the SDK's standard retry mode (exponential backoff with full jitter on throttling, 5xx
//! and connection errors). Without `AWS_MAX_ATTEMPTS` / `AWS_RETRY_MODE` in the environment,
//! driftmon uses 5 attempts instead of the SDK's 3. The same policy drives [`Backoff`], which the
//! S3 reader uses when a stream breaks after the response has started.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};

/// Attempts per request when the environment does not say.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// Why the AWS plumbing could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// The Tokio runtime could not start.
    #[error("cannot start the AWS runtime: {0}")]
    Runtime(String),
}

fn runtime_cell() -> &'static OnceLock<Result<tokio::runtime::Runtime, String>> {
    static RT: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    &RT
}

/// The shared runtime (two worker threads: the work is I/O, the CPU belongs to the profilers).
pub fn runtime() -> Result<&'static tokio::runtime::Runtime, AwsError> {
    runtime_cell()
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("driftmon-aws")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| AwsError::Runtime(e.clone()))
}

/// Runs `fut` to completion on the shared runtime, from a synchronous caller.
pub fn block_on<F: Future>(fut: F) -> Result<F::Output, AwsError> {
    Ok(runtime()?.block_on(fut))
}

/// Whether the environment chose a retry policy itself.
fn retry_from_env() -> bool {
    std::env::var_os("AWS_MAX_ATTEMPTS").is_some() || std::env::var_os("AWS_RETRY_MODE").is_some()
}

/// The HTTPS client: hyper with rustls on ring, trusting the platform's certificates.
pub fn http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// The standard chain's loader with driftmon's HTTP client, timeouts and retry policy; callers
/// may override more (tests set an endpoint and static credentials) before `load()`.
pub fn loader() -> aws_config::ConfigLoader {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .read_timeout(Duration::from_secs(60))
                .operation_attempt_timeout(Duration::from_secs(120))
                .build(),
        );
    if !retry_from_env() {
        loader = loader.retry_config(
            RetryConfig::standard()
                .with_max_attempts(DEFAULT_MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(500))
                .with_max_backoff(Duration::from_secs(20)),
        );
    }
    loader
}

/// The SDK configuration from the standard chain, loaded once per process. Without a region in
/// the chain, `us-east-1` (S3-compatible servers and single-region users often set none).
pub fn sdk_config() -> Result<&'static SdkConfig, AwsError> {
    static CONFIG: OnceLock<SdkConfig> = OnceLock::new();
    if let Some(c) = CONFIG.get() {
        return Ok(c);
    }
    let mut cfg = block_on(loader().load())?;
    if cfg.region().is_none() {
        cfg = cfg
            .into_builder()
            .region(aws_config::Region::from_static("us-east-1"))
            .build();
    }
    Ok(CONFIG.get_or_init(|| cfg))
}

/// Exponential backoff with full jitter (sleep a uniform random time in `[0, min(cap, base·2ⁿ))`),
/// the policy AWS recommends and the SDK's standard mode uses.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The base of the exponential.
    pub initial: Duration,
    /// The cap.
    pub max: Duration,
}

impl Backoff {
    /// The policy of the loaded SDK configuration.
    pub fn from_config(cfg: &SdkConfig) -> Backoff {
        let r = cfg
            .retry_config()
            .cloned()
            .unwrap_or_else(RetryConfig::standard);
        Backoff {
            max_attempts: r.max_attempts().max(1),
            initial: r.initial_backoff(),
            max: r.max_backoff(),
        }
    }

    /// The delay before retry number `retry` (1 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let exp = self
            .initial
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)));
        let cap = exp.min(self.max);
        cap.mul_f64(jitter())
    }
}

/// A uniform number in `[0, 1)`; std's random hasher keys are the entropy source (no `rand`).
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// A one-line description of an SDK error: the service's code and message when it answered, the
/// transport's reason when it did not.
pub fn describe<E, R>(err: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: std::error::Error + aws_smithy_types::error::metadata::ProvideErrorMetadata + 'static,
    R: std::fmt::Debug + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    match err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            match (e.code(), e.message()) {
                (Some(c), Some(m)) => format!("{c}: {m}"),
                (Some(c), None) => c.to_owned(),
                _ => format!("{}", DisplayChain(e)),
            }
        }
        SdkError::TimeoutError(_) => "timed out".to_owned(),
        SdkError::DispatchFailure(d) => {
            let why = if d.is_io() {
                "connection failed"
            } else if d.is_timeout() {
                "connection timed out"
            } else {
                "request could not be sent"
            };
            // The innermost two causes say what happened ("tcp connect error: Connection
            // refused"); the layers above them only name the SDK's plumbing.
            let mut chain: Vec<String> = Vec::new();
            let mut src: Option<&(dyn std::error::Error + 'static)> = Some(err);
            while let Some(e) = src {
                chain.push(e.to_string());
                src = e.source();
            }
            let tail = chain[chain.len().saturating_sub(2)..].join(": ");
            format!("{why}: {tail}")
        }
        other => format!("{}", DisplayChain(other)),
    }
}

/// Displays an error with its chain of sources, `: `-separated.
pub struct DisplayChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut src = self.0.source();
        let mut last = self.0.to_string();
        while let Some(s) = src {
            let t = s.to_string();
            if !last.contains(&t) {
                write!(f, ": {t}")?;
            }
            last = t;
            src = s.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_jittered() {
        let b = Backoff {
            max_attempts: 5,
            initial: Duration::from_millis(100),
            max: Duration::from_millis(350),
        };
        for retry in 1..8 {
            let cap = Duration::from_millis(100 * (1 << (retry - 1))).min(b.max);
            for _ in 0..50 {
                assert!(b.delay(retry) < cap.max(Duration::from_nanos(1)));
            }
        }
        let xs: Vec<f64> = (0..200).map(|_| jitter()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(xs.iter().any(|x| *x < 0.3) && xs.iter().any(|x| *x > 0.7));
    }
}
