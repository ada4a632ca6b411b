//! The live adapters of the action port ([`crate::adapters::actions::ActionSink`]): SageMaker pipeline
//! starts, alert e-mails and webhooks, for real.
//!
//! - **SageMaker** (`StartPipelineExecution`, `ListPipelineExecutions`): the JSON 1.1 protocol by
//!   hand (`POST /`, `X-Amz-Target: SageMaker.<Operation>`), signed with SigV4 (`aws-sigv4`),
//!   sent with the HTTPS client of [`crate::adapters::aws`] (hyper, rustls on ring). Credentials come from
//!   the standard chain ([`crate::adapters::aws::sdk_config`]); the region from the action, else the chain;
//!   the endpoint from `AWS_ENDPOINT_URL_SAGEMAKER`, else `AWS_ENDPOINT_URL` (or the shared
//!   config's `endpoint_url`), else `https://api.sagemaker.{region}.amazonaws.com`. There is no
//!   aws-sdk-sagemaker: two operations do not justify compiling the whole service model.
//! - **E-mail**: lettre's synchronous SMTP transport (STARTTLS required or opportunistic,
//!   implicit TLS, or plain text), with an optional login.
//! - **Webhook**: a JSON `POST` — driftmon's own payload, or a Slack incoming-webhook payload.
//!
//! Every call makes one attempt: the engine owns retries and cool-downs, and an
//! [`ActionError`] says whether trying again later may help (`retryable`). The texts of the
//! alerts are pure functions ([`email_subject`], [`email_body`], [`webhook_payload`]).

use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_http_client::Connector;
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use driftmon_baseline::capture::format_timestamp_ms;
use serde_json::{json, Value};

use crate::adapters::actions::{ActionError, ActionSink, Alert, PipelineStart};
use crate::config::{EmailAction, SmtpTls, WebhookAction};
use crate::control::state::{ActionTarget, Notice, NoticeEvent};

mod email;
mod texts;

use email::send_email;
pub use texts::{email_body, email_subject, summary, webhook_payload};

/// How long one SageMaker request may take, connection included.
pub const SAGEMAKER_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a TCP (and TLS) connection to SageMaker or a webhook may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Pages of `ListPipelineExecutions` (100 executions each, newest first) searched for a display
/// name before giving up.
const MAX_LIST_PAGES: usize = 20;
/// Violations listed in a Slack message (its sections are limited to 3000 characters).
const SLACK_MAX_VIOLATIONS: usize = 20;

/// The live [`ActionSink`]: SageMaker over signed HTTPS, SMTP, webhooks.
///
/// Cheap to build; the HTTPS client (and its certificate store) and, with [`LiveActions::new`],
/// the AWS configuration are loaded at the first call that needs them.
#[derive(Debug, Default)]
pub struct LiveActions {
    /// `None`: the process's standard chain ([`crate::adapters::aws::sdk_config`]).
    sdk_config: Option<SdkConfig>,
    /// An explicit SageMaker endpoint, before the environment's.
    sagemaker_endpoint: Option<String>,
    http: OnceLock<Result<Connector, String>>,
}

impl LiveActions {
    /// Adapters with the standard AWS chain (environment, shared files, instance roles, …).
    pub fn new() -> LiveActions {
        LiveActions::default()
    }

    /// Adapters with this AWS configuration (credentials, region and `endpoint_url`) instead of
    /// the process's chain.
    pub fn with_sdk_config(config: SdkConfig) -> LiveActions {
        LiveActions {
            sdk_config: Some(config),
            ..LiveActions::default()
        }
    }

    /// Sends SageMaker requests to `url` (e.g. `http://127.0.0.1:5000`), whatever the
    /// environment says.
    pub fn sagemaker_endpoint(mut self, url: impl Into<String>) -> LiveActions {
        self.sagemaker_endpoint = Some(url.into());
        self
    }

    fn config(&self) -> Result<&SdkConfig, ActionError> {
        match &self.sdk_config {
            Some(c) => Ok(c),
            None => crate::adapters::aws::sdk_config().map_err(|e| ActionError {
                target: ActionTarget::Pipeline,
                retryable: true,
                message: e.to_string(),
            }),
        }
    }

    fn http(&self, target: ActionTarget) -> Result<&Connector, ActionError> {
        self.http
            .get_or_init(|| {
                // Building the client reads the platform's certificates; rustls' provider setup
                // can panic on a broken store, so keep that from taking the engine down.
                std::panic::catch_unwind(|| {
                    Connector::builder()
                        .connector_settings(
                            HttpConnectorSettings::builder()
                                .connect_timeout(CONNECT_TIMEOUT)
                                .build(),
                        )
                        .tls_provider(Provider::Rustls(CryptoMode::Ring))
                        .build()
                })
                .map_err(|_| "cannot set up the HTTPS client (TLS certificate store)".to_owned())
            })
            .as_ref()
            .map_err(|m| ActionError {
                target,
                retryable: false,
                message: m.clone(),
            })
    }

    /// The region of a request: the action's, else the configuration's, else `us-east-1`.
    fn region(&self, explicit: Option<&str>) -> Result<String, ActionError> {
        if let Some(r) = explicit.filter(|r| !r.is_empty()) {
            return Ok(r.to_owned());
        }
        Ok(self
            .config()?
            .region()
            .map(|r| r.as_ref().to_owned())
            .unwrap_or_else(|| "us-east-1".to_owned()))
    }

    /// The SageMaker endpoint for `region` (see the module's documentation).
    pub fn sagemaker_url(&self, region: &str) -> Result<String, ActionError> {
        if let Some(u) = &self.sagemaker_endpoint {
            return Ok(u.clone());
        }
        if let Some(u) = env_nonempty("AWS_ENDPOINT_URL_SAGEMAKER") {
            return Ok(u);
        }
        if let Some(u) = self.config()?.endpoint_url() {
            return Ok(u.to_owned());
        }
        if let Some(u) = env_nonempty("AWS_ENDPOINT_URL") {
            return Ok(u);
        }
        let suffix = if region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        Ok(format!("https://api.sagemaker.{region}.{suffix}"))
    }

    /// Calls a SageMaker JSON 1.1 operation (`StartPipelineExecution`, …) with `body`; returns
    /// the response document. Errors say which operation, which endpoint, and SageMaker's
    /// `__type: message`.
    pub fn sagemaker_call(
        &self,
        region: Option<&str>,
        operation: &str,
        body: &Value,
    ) -> Result<Value, ActionError> {
        let what = match body.get("PipelineName").and_then(Value::as_str) {
            Some(p) => format!("{operation} of pipeline `{p}`"),
            None => operation.to_owned(),
        };
        let target = ActionTarget::Pipeline;
        let region = self.region(region)?;
        let url = self.sagemaker_url(&region)?;
        let err = |retryable: bool, why: String| ActionError {
            target,
            retryable,
            message: format!("SageMaker {what} at {url}: {why}"),
        };
        let provider = self
            .config()?
            .credentials_provider()
            .ok_or_else(|| err(false, "no AWS credentials provider is configured".into()))?;
        let http = self.http(target)?;
        let payload = serde_json::to_vec(body).map_err(|e| err(false, e.to_string()))?;
        let uri: http_uri::Parsed = http_uri::parse(&url).map_err(|e| err(false, e))?;
        let amz_target = format!("SageMaker.{operation}");

        let fut = async {
            let creds = provider
                .provide_credentials()
                .await
                .map_err(|e| credentials_error(&e))
                .map_err(|(r, m)| err(r, m))?;
            let identity: Identity = creds.into();
            let headers = [
                ("content-type", "application/x-amz-json-1.1"),
                ("host", uri.host_header.as_str()),
                ("x-amz-target", amz_target.as_str()),
            ];
            let settings = aws_sigv4::http_request::SigningSettings::default();
            let params: aws_sigv4::http_request::SigningParams<'_> =
                aws_sigv4::sign::v4::SigningParams::builder()
                    .identity(&identity)
                    .region(&region)
                    .name("sagemaker")
                    .time(SystemTime::now())
                    .settings(settings)
                    .build()
                    .map_err(|e| err(false, format!("cannot sign the request: {e}")))?
                    .into();
            let signable = aws_sigv4::http_request::SignableRequest::new(
                "POST",
                &uri.request_uri,
                headers.iter().copied(),
                aws_sigv4::http_request::SignableBody::Bytes(&payload),
            )
            .map_err(|e| err(false, format!("cannot sign the request: {e}")))?;
            let (instructions, _sig) = aws_sigv4::http_request::sign(signable, &params)
                .map_err(|e| err(false, format!("cannot sign the request: {e}")))?
                .into_parts();

            let mut req = aws_smithy_runtime_api::http::Request::new(SdkBody::from(payload));
            req.set_method("POST")
                .map_err(|e| err(false, format!("bad method: {e}")))?;
            req.set_uri(uri.request_uri.as_str())
                .map_err(|e| err(false, format!("bad URL: {e}")))?;
            let mut set = |k: &str, v: &str| {
                req.headers_mut()
                    .try_insert(k.to_owned(), v.to_owned())
                    .map(|_| ())
                    .map_err(|e| err(false, format!("bad header `{k}`: {e}")))
            };
            for (k, v) in headers {
                set(k, v)?;
            }
            set("user-agent", USER_AGENT)?;
            for (k, v) in instructions.headers() {
                set(k, v)?;
            }
            let (status, body) = send(http, req).await.map_err(|(r, m)| err(r, m))?;
            Ok::<_, ActionError>((status, body))
        };
        // The timer is made inside the runtime (tokio's timers need its context).
        let timed = async { tokio::time::timeout(SAGEMAKER_TIMEOUT, fut).await };
        let (status, resp) = match crate::adapters::aws::block_on(timed) {
            Ok(Ok(r)) => r?,
            Ok(Err(_)) => {
                return Err(err(
                    true,
                    format!("timed out after {} s", SAGEMAKER_TIMEOUT.as_secs()),
                ))
            }
            Err(e) => return Err(err(true, e.to_string())),
        };
        if (200..300).contains(&status) {
            return serde_json::from_slice(&resp).map_err(|e| {
                err(
                    true,
                    format!(
                        "HTTP {status} with a body that is not JSON ({e}): {}",
                        snippet(&resp)
                    ),
                )
            });
        }
        let (code, message) = aws_json_error(&resp);
        let retryable = status >= 500 || status == 429 || is_throttling(&code);
        let why = match (code.is_empty(), message.is_empty()) {
            (false, false) => format!("{code}: {message} (HTTP {status})"),
            (false, true) => format!("{code} (HTTP {status})"),
            (true, _) => format!("HTTP {status}: {}", snippet(&resp)),
        };
        Err(err(retryable, why))
    }
}

const USER_AGENT: &str = concat!("driftmon/", env!("CARGO_PKG_VERSION"));

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Whether the credentials error may clear up (a timed-out or failing provider) or needs a
/// person (no credentials anywhere, a broken profile).
fn credentials_error(e: &CredentialsError) -> (bool, String) {
    let retryable = !matches!(
        e,
        CredentialsError::CredentialsNotLoaded(_) | CredentialsError::InvalidConfiguration(_)
    );
    (
        retryable,
        format!(
            "cannot load AWS credentials: {}",
            crate::adapters::aws::DisplayChain(e)
        ),
    )
}

/// Error codes that mean "slow down" (the SDK's list), plus SageMaker's limit on concurrent
/// pipeline executions, which clears when running executions finish.
fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestThrottledException"
            | "TooManyRequestsException"
            | "ProvisionedThroughputExceededException"
            | "TransactionInProgressException"
            | "RequestLimitExceeded"
            | "BandwidthLimitExceeded"
            | "LimitExceededException"
            | "RequestThrottled"
            | "SlowDown"
            | "PriorRequestNotComplete"
            | "EC2ThrottledException"
            | "ResourceLimitExceeded"
    )
}

/// `(code, message)` of an AWS JSON error body: `__type` without its namespace
/// (`com.amazonaws.sagemaker#ResourceNotFound` → `ResourceNotFound`), `message` or `Message`.
fn aws_json_error(body: &[u8]) -> (String, String) {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = v
        .get("__type")
        .or_else(|| v.get("code"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let code = code.rsplit('#').next().unwrap_or(code);
    let code = code.split(':').next().unwrap_or(code);
    let message = v
        .get("message")
        .or_else(|| v.get("Message"))
        .and_then(Value::as_str)
        .unwrap_or("");
    (code.to_owned(), message.to_owned())
}

/// The first 200 characters of a body, on one line.
fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let one: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    let one = one.trim().to_owned();
    if one.is_empty() {
        "(empty body)".to_owned()
    } else if s.chars().count() > 200 {
        format!("{one}…")
    } else {
        one
    }
}

/// Sends a request; returns the status and the body, or `(retryable, why)`.
async fn send(
    http: &Connector,
    req: aws_smithy_runtime_api::http::Request,
) -> Result<(u16, Vec<u8>), (bool, String)> {
    let resp = http.call(req).await.map_err(|e| connector_error(&e))?;
    let status = resp.status().as_u16();
    let body = ByteStream::new(resp.into_body())
        .collect()
        .await
        .map_err(|e| {
            (
                true,
                format!(
                    "the response broke off (HTTP {status}): {}",
                    crate::adapters::aws::DisplayChain(&e)
                ),
            )
        })?;
    Ok((status, body.to_vec()))
}

/// A transport failure: retryable unless the request itself was malformed.
fn connector_error(e: &ConnectorError) -> (bool, String) {
    let why = if e.is_timeout() {
        "connection timed out"
    } else if e.is_io() {
        "connection failed"
    } else if e.is_user() {
        "request could not be sent"
    } else {
        "request failed"
    };
    // The innermost two causes say what happened ("tcp connect error: Connection refused").
    let mut chain: Vec<String> = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(x) = src {
        chain.push(x.to_string());
        src = x.source();
    }
    let tail = chain[chain.len().saturating_sub(2)..].join(": ");
    (!e.is_user(), format!("{why}: {tail}"))
}

/// Splitting a URL for a request: what the `Host` header and SigV4 need.
mod http_uri {
    /// A parsed `http://` or `https://` URL.
    pub struct Parsed {
        /// The URL as sent (path `/` added when missing).
        pub request_uri: String,
        /// `host[:port]`, the port only when it is not the scheme's default.
        pub host_header: String,
    }

    pub fn parse(url: &str) -> Result<Parsed, String> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("`{url}` is not an http:// or https:// URL"))?;
        let default_port = match scheme.to_ascii_lowercase().as_str() {
            "http" => "80",
            "https" => "443",
            _ => return Err(format!("`{url}` is not an http:// or https:// URL")),
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        if authority.is_empty() {
            return Err(format!("`{url}` has no host"));
        }
        let host_header = match authority.rsplit_once(':') {
            Some((h, p)) if p == default_port => h.to_owned(),
            _ => authority.to_owned(),
        };
        let path = if path.is_empty() || path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_owned()
        };
        Ok(Parsed {
            request_uri: format!("{scheme}://{authority}{path}"),
            host_header,
        })
    }

    pub use crate::adapters::actions::redact_url as redact;
}

impl ActionSink for LiveActions {
    fn start_pipeline(&self, start: &PipelineStart) -> Result<String, ActionError> {
        let body = json!({
            "PipelineName": start.pipeline_name,
            "PipelineExecutionDisplayName": start.display_name,
            "ClientRequestToken": start.client_request_token,
            "PipelineParameters": start
                .parameters
                .iter()
                .map(|(k, v)| json!({"Name": k, "Value": v}))
                .collect::<Vec<_>>(),
        });
        let resp = self.sagemaker_call(start.region.as_deref(), "StartPipelineExecution", &body)?;
        resp.get("PipelineExecutionArn")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| ActionError {
                target: ActionTarget::Pipeline,
                retryable: false,
                message: format!(
                    "SageMaker StartPipelineExecution of pipeline `{}` answered without a \
                     PipelineExecutionArn: {}",
                    start.pipeline_name,
                    snippet(resp.to_string().as_bytes())
                ),
            })
    }

    fn find_pipeline_execution(
        &self,
        pipeline_name: &str,
        region: Option<&str>,
        display_name: &str,
    ) -> Result<Option<String>, ActionError> {
        let mut next: Option<String> = None;
        for _ in 0..MAX_LIST_PAGES {
            let mut body = json!({
                "PipelineName": pipeline_name,
                "SortBy": "CreationTime",
                "SortOrder": "Descending",
                "MaxResults": 100,
            });
            if let (Some(t), Some(o)) = (&next, body.as_object_mut()) {
                o.insert("NextToken".into(), Value::String(t.clone()));
            }
            let resp = self.sagemaker_call(region, "ListPipelineExecutions", &body)?;
            let found = resp
                .get("PipelineExecutionSummaries")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|s| {
                    s.get("PipelineExecutionDisplayName")
                        .and_then(Value::as_str)
                        == Some(display_name)
                })
                .and_then(|s| s.get("PipelineExecutionArn").and_then(Value::as_str));
            if let Some(arn) = found {
                return Ok(Some(arn.to_owned()));
            }
            match resp.get("NextToken").and_then(Value::as_str) {
                Some(t) if !t.is_empty() && next.as_deref() != Some(t) => next = Some(t.to_owned()),
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    fn send_email(&self, action: &EmailAction, alert: &Alert<'_>) -> Result<(), ActionError> {
        send_email(action, alert)
    }

    fn post_webhook(&self, action: &WebhookAction, alert: &Alert<'_>) -> Result<(), ActionError> {
        let target = ActionTarget::Webhook;
        let shown = http_uri::redact(&action.url);
        let err = |retryable: bool, why: String| ActionError {
            target,
            retryable,
            message: format!("POST {shown}: {why}"),
        };
        let http = self.http(target)?;
        let uri = http_uri::parse(&action.url).map_err(|_| {
            err(
                false,
                "the webhook URL is not an http:// or https:// URL".into(),
            )
        })?;
        let payload = serde_json::to_vec(&webhook_payload(alert, action.slack))
            .map_err(|e| err(false, e.to_string()))?;
        let mut req = aws_smithy_runtime_api::http::Request::new(SdkBody::from(payload));
        req.set_method("POST")
            .map_err(|e| err(false, format!("bad method: {e}")))?;
        req.set_uri(uri.request_uri.as_str())
            .map_err(|_| err(false, "the webhook URL is not a valid URL".into()))?;
        let mut headers = vec![
            ("content-type", "application/json".to_owned()),
            ("user-agent", USER_AGENT.to_owned()),
        ];
        if let Some(t) = &action.token {
            headers.push(("authorization", format!("Bearer {}", t.expose())));
        }
        for (k, v) in headers {
            req.headers_mut().try_insert(k, v).map_err(|_| {
                err(
                    false,
                    format!("the `{k}` header is not a valid header value"),
                )
            })?;
        }
        let timeout = action.timeout;
        let timed = async { tokio::time::timeout(timeout, send(http, req)).await };
        let result = crate::adapters::aws::block_on(timed).map_err(|e| err(true, e.to_string()))?;
        let (status, body) = match result {
            Ok(r) => r.map_err(|(r, m)| err(r, m))?,
            Err(_) => {
                return Err(err(
                    true,
                    format!("timed out after {} s", timeout.as_secs_f64()),
                ))
            }
        };
        if (200..300).contains(&status) {
            return Ok(());
        }
        Err(err(
            status >= 500 || status == 429 || status == 408,
            format!("HTTP {status}: {}", snippet(&body)),
        ))
    }
}

#[cfg(test)]
mod tests;
