//! The live adapters of the action port ([`crate::actions::ActionSink`]): SageMaker pipeline
//! starts, alert e-mails and webhooks, for real.
//!
//! - **SageMaker** (`StartPipelineExecution`, `ListPipelineExecutions`): the JSON 1.1 protocol by
//!   hand (`POST /`, `X-Amz-Target: SageMaker.<Operation>`), signed with SigV4 (`aws-sigv4`),
//!   sent with the HTTPS client of [`crate::aws`] (hyper, rustls on ring). Credentials come from
//!   the standard chain ([`crate::aws::sdk_config`]); the region from the action, else the chain;
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

use crate::actions::{ActionError, ActionSink, Alert, PipelineStart};
use crate::config::{EmailAction, SmtpTls, WebhookAction};
use crate::monitor_state::{ActionTarget, Notice, NoticeEvent};

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
    /// `None`: the process's standard chain ([`crate::aws::sdk_config`]).
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
            None => crate::aws::sdk_config().map_err(|e| ActionError {
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
        let (status, resp) = match crate::aws::block_on(timed) {
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
            crate::aws::DisplayChain(e)
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
                    crate::aws::DisplayChain(&e)
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

    pub use crate::actions::redact_url as redact;
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
        let result = crate::aws::block_on(timed).map_err(|e| err(true, e.to_string()))?;
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

// ---------------------------------------------------------------------------------------------
// E-mail
// ---------------------------------------------------------------------------------------------

fn send_email(action: &EmailAction, alert: &Alert<'_>) -> Result<(), ActionError> {
    use lettre::message::header::ContentType;
    use lettre::message::Mailbox;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    use lettre::{Message, SmtpTransport, Transport};

    let target = ActionTarget::Email;
    let at = format!("SMTP {}:{}", action.smtp_host, action.smtp_port);
    let err = |retryable: bool, why: String| ActionError {
        target,
        retryable,
        message: format!("{at}: {why}"),
    };
    let from: Mailbox = action
        .from
        .parse()
        .map_err(|e| err(false, format!("sender `{}`: {e}", action.from)))?;
    let mut builder = Message::builder()
        .from(from)
        .subject(email_subject(&action.subject_prefix, alert))
        .header(ContentType::TEXT_PLAIN);
    if action.to.is_empty() {
        return Err(err(false, "no recipients".into()));
    }
    for to in &action.to {
        let mb: Mailbox = to
            .parse()
            .map_err(|e| err(false, format!("recipient `{to}`: {e}")))?;
        builder = builder.to(mb);
    }
    let message = builder
        .body(email_body(alert))
        .map_err(|e| err(false, format!("cannot build the message: {e}")))?;

    let tls_params = || {
        TlsParameters::new(action.smtp_host.clone())
            .map_err(|e| err(false, format!("TLS setup: {e}")))
    };
    let tls = match action.tls {
        SmtpTls::StartTls => Tls::Required(tls_params()?),
        SmtpTls::Opportunistic => Tls::Opportunistic(tls_params()?),
        SmtpTls::Implicit => Tls::Wrapper(tls_params()?),
        SmtpTls::None => Tls::None,
    };
    let mut transport = SmtpTransport::builder_dangerous(&action.smtp_host)
        .port(action.smtp_port)
        .tls(tls)
        .timeout(Some(action.timeout));
    if let Some(user) = &action.username {
        let password = action
            .password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default();
        transport = transport.credentials(Credentials::new(user.clone(), password));
    }
    let transport = transport.build();
    transport.send(&message).map(|_| ()).map_err(|e| {
        let password = action.password.as_ref().map(|p| p.expose());
        let (retryable, why) = smtp_error(&e, password);
        err(retryable, why)
    })
}

/// Classifies an SMTP failure: transient replies (4xx), timeouts and connection failures are
/// retryable; permanent replies (5xx), TLS failures and client-side errors are not. The text
/// never holds the password (lettre does not print it; this makes sure).
fn smtp_error(e: &lettre::transport::smtp::Error, password: Option<&str>) -> (bool, String) {
    let retryable = !(e.is_permanent() || e.is_tls() || e.is_client());
    let mut why = crate::aws::DisplayChain(e).to_string();
    if let Some(p) = password.filter(|p| !p.is_empty()) {
        why = why.replace(p, "***");
    }
    let kind = if e.is_permanent() {
        "rejected"
    } else if e.is_transient() {
        "temporarily refused"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_tls() {
        "TLS failed"
    } else if e.is_client() {
        "client error"
    } else {
        "failed"
    };
    (retryable, format!("{kind}: {why}"))
}

// ---------------------------------------------------------------------------------------------
// Texts
// ---------------------------------------------------------------------------------------------

/// `2026-11-21T13:00Z`: a timestamp without zero seconds.
fn short_time(ms: i64) -> String {
    let s = format_timestamp_ms(ms);
    match s.strip_suffix(":00Z") {
        Some(head) if s.len() == 20 => format!("{head}Z"),
        _ => s,
    }
}

/// `2026-11-21T13:00Z–14:00Z` (the end's date only when it differs).
fn short_window(start_ms: i64, end_ms: i64) -> String {
    let a = short_time(start_ms);
    let b = short_time(end_ms);
    match (a.split_once('T'), b.split_once('T')) {
        (Some((da, _)), Some((db, tb))) if da == db => format!("{a}–{tb}"),
        _ => format!("{a}–{b}"),
    }
}

/// One line: control characters become spaces, at most `max` characters.
fn one_line(s: &str, max: usize) -> String {
    let mut out: String = s
        .split(|c: char| c.is_control())
        .filter(|p| !p.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    if out.chars().count() > max {
        out = out.chars().take(max.saturating_sub(1)).collect::<String>() + "…";
    }
    out
}

/// `{output}/{name}`, with one slash.
fn join_output(output: &str, name: &str) -> String {
    format!("{}/{name}", output.trim_end_matches('/'))
}

/// "3 features drifted" / "1 feature drifted" / "4 violations" (when some have no feature).
fn drift_count(notice: &Notice) -> String {
    let unnamed = notice
        .violations
        .iter()
        .filter(|v| v.feature.is_none())
        .count();
    if unnamed == 0 && !notice.violations.is_empty() {
        let mut names: Vec<&str> = notice
            .violations
            .iter()
            .filter_map(|v| v.feature.as_deref())
            .collect();
        names.sort_unstable();
        names.dedup();
        let n = names.len();
        format!("{n} feature{} drifted", if n == 1 { "" } else { "s" })
    } else {
        let n = notice.violations.len();
        format!("{n} violation{}", if n == 1 { "" } else { "s" })
    }
}

/// The event's label (`DRIFT DETECTED`, …) and its webhook name (`drift_detected`, …).
fn event_names(event: &NoticeEvent) -> (&'static str, &'static str) {
    match event {
        NoticeEvent::DriftDetected => ("DRIFT DETECTED", "drift_detected"),
        NoticeEvent::DriftContinues => ("DRIFT CONTINUES", "drift_continues"),
        NoticeEvent::DriftResolved => ("RESOLVED", "drift_resolved"),
        NoticeEvent::RunFailed { .. } => ("RUN FAILED", "run_failed"),
    }
}

/// The one-line summary, without a prefix:
/// `DRIFT DETECTED credit-risk — 3 features drifted (window 2026-11-21T13:00Z–14:00Z)`.
pub fn summary(alert: &Alert<'_>) -> String {
    let n = alert.notice;
    let (label, _) = event_names(&n.event);
    let window = short_window(n.window.start_ms, n.window.end_ms);
    let what = match &n.event {
        NoticeEvent::DriftDetected => drift_count(n),
        NoticeEvent::DriftContinues => format!(
            "{}, {} violating windows in a row",
            drift_count(n),
            n.violation_streak
        ),
        NoticeEvent::DriftResolved => match &n.episode_id {
            Some(e) => format!("drift episode {e} closed"),
            None => "drift episode closed".to_owned(),
        },
        NoticeEvent::RunFailed { reason } => one_line(reason, 100),
    };
    format!(
        "{label} {} — {what} (window {window})",
        one_line(&n.monitor, 100)
    )
}

/// The e-mail's subject: `{prefix} ` and the [`summary`].
pub fn email_subject(prefix: &str, alert: &Alert<'_>) -> String {
    let prefix = one_line(prefix, 100);
    if prefix.is_empty() {
        summary(alert)
    } else {
        format!("{prefix} {}", summary(alert))
    }
}

/// The e-mail's plain-text body: what happened, where, the violations, and where the report is.
pub fn email_body(alert: &Alert<'_>) -> String {
    let n = alert.notice;
    let w = &n.window;
    let (label, _) = event_names(&n.event);
    let window = format!(
        "{} to {} (scheduled {})",
        format_timestamp_ms(w.start_ms),
        format_timestamp_ms(w.end_ms),
        format_timestamp_ms(w.scheduled_ms)
    );
    let episode = n.episode_id.as_deref().unwrap_or("(none)");
    let mut s = String::new();
    let _ = writeln!(s, "{label}: {}", n.monitor);
    let _ = writeln!(s);
    let headline = match &n.event {
        NoticeEvent::DriftDetected => format!(
            "driftmon found drift on endpoint {} ({}) and opened drift episode {episode}.",
            alert.endpoint,
            drift_count(n)
        ),
        NoticeEvent::DriftContinues => format!(
            "Drift continues on endpoint {} ({}): {} violating windows in a row, episode \
             {episode} stays open.",
            alert.endpoint,
            drift_count(n),
            n.violation_streak
        ),
        NoticeEvent::DriftResolved => format!(
            "Drift on endpoint {} is resolved: the latest windows were clean and drift episode \
             {episode} is closed.",
            alert.endpoint
        ),
        NoticeEvent::RunFailed { .. } => format!(
            "The monitoring run for endpoint {} failed: this window was not checked.",
            alert.endpoint
        ),
    };
    let _ = writeln!(s, "{headline}");
    let _ = writeln!(s);
    let _ = writeln!(s, "Monitor:          {}", n.monitor);
    let _ = writeln!(s, "Endpoint:         {}", alert.endpoint);
    let _ = writeln!(s, "Window:           {window}");
    let _ = writeln!(s, "Episode:          {episode}");
    let _ = writeln!(
        s,
        "Violation streak: {} consecutive violating window{}",
        n.violation_streak,
        if n.violation_streak == 1 { "" } else { "s" }
    );
    if let NoticeEvent::RunFailed { reason } = &n.event {
        let _ = writeln!(s);
        let _ = writeln!(s, "Reason:");
        for line in reason.lines() {
            let _ = writeln!(s, "  {line}");
        }
    }
    if !n.violations.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "Violations ({}):", n.violations.len());
        for v in &n.violations {
            match &v.feature {
                Some(f) => {
                    let _ = writeln!(s, "  - {}: {f}", v.check_type);
                }
                None => {
                    let _ = writeln!(s, "  - {} (no feature)", v.check_type);
                }
            }
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "Output:           {}", alert.output);
    if !matches!(n.event, NoticeEvent::RunFailed { .. }) {
        let _ = writeln!(
            s,
            "Report:           {}",
            join_output(alert.output, "report.html")
        );
        let _ = writeln!(
            s,
            "Violations JSON:  {}",
            join_output(alert.output, "constraint_violations.json")
        );
    }
    let _ = writeln!(s);
    let next = match &n.event {
        NoticeEvent::DriftDetected | NoticeEvent::DriftContinues => {
            "Next: open the report to see each feature's distance to the baseline and the \
             thresholds crossed; check the upstream data (schema change, new source, outage) \
             before retraining."
        }
        NoticeEvent::DriftResolved => "Nothing to do unless the drift was fixed by hand.",
        NoticeEvent::RunFailed { .. } => {
            "Next: read the reason above and `driftmon serve`'s log; the window will be \
             retried or reported as failed according to the monitor's configuration."
        }
    };
    let _ = writeln!(s, "{next}");
    let _ = writeln!(s);
    let _ = writeln!(s, "-- ");
    let _ = writeln!(s, "Sent by driftmon ({USER_AGENT}).");
    s
}

/// Escapes Slack mrkdwn's control characters (`&`, `<`, `>`).
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The webhook's JSON: driftmon's own document, or (with `slack`) a Slack incoming-webhook
/// message (`text` and `blocks`).
///
/// driftmon's document: `event` (`drift_detected`, `drift_continues`, `drift_resolved`,
/// `run_failed`), `summary`, `monitor`, `endpoint`, `window` (`start`, `end`, `scheduled`, ISO
/// 8601), `episode_id` (or null), `violation_streak`, `violations` (`check_type`, `feature`),
/// `reason` (the failure's, or null), `output`, `report`, `constraint_violations`.
pub fn webhook_payload(alert: &Alert<'_>, slack: bool) -> Value {
    let n = alert.notice;
    let (label, event) = event_names(&n.event);
    let report = join_output(alert.output, "report.html");
    let violations_json = join_output(alert.output, "constraint_violations.json");
    let reason = match &n.event {
        NoticeEvent::RunFailed { reason } => Some(reason.as_str()),
        _ => None,
    };
    if !slack {
        return json!({
            "event": event,
            "summary": summary(alert),
            "monitor": n.monitor,
            "endpoint": alert.endpoint,
            "window": {
                "start": format_timestamp_ms(n.window.start_ms),
                "end": format_timestamp_ms(n.window.end_ms),
                "scheduled": format_timestamp_ms(n.window.scheduled_ms),
            },
            "episode_id": n.episode_id,
            "violation_streak": n.violation_streak,
            "violations": n.violations.iter().map(|v| json!({
                "check_type": v.check_type,
                "feature": v.feature,
            })).collect::<Vec<_>>(),
            "reason": reason,
            "output": alert.output,
            "report": report,
            "constraint_violations": violations_json,
        });
    }
    let text = summary(alert);
    let header = one_line(&format!("{label}: {}", n.monitor), 150);
    let mut facts = format!(
        "*Endpoint:* `{}`\n*Window:* {} to {}\n*Episode:* {}\n*Violation streak:* {}",
        slack_escape(alert.endpoint),
        format_timestamp_ms(n.window.start_ms),
        format_timestamp_ms(n.window.end_ms),
        slack_escape(n.episode_id.as_deref().unwrap_or("(none)")),
        n.violation_streak
    );
    if let Some(r) = reason {
        let _ = write!(facts, "\n*Reason:* {}", slack_escape(&one_line(r, 1500)));
    }
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": header}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(&text)}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": facts}}),
    ];
    if !n.violations.is_empty() {
        let mut list = format!("*Violations ({}):*", n.violations.len());
        for v in n.violations.iter().take(SLACK_MAX_VIOLATIONS) {
            let _ = write!(
                list,
                "\n• `{}` {}",
                slack_escape(&v.check_type),
                v.feature
                    .as_deref()
                    .map(|f| format!("`{}`", slack_escape(f)))
                    .unwrap_or_else(|| "(no feature)".to_owned())
            );
        }
        if n.violations.len() > SLACK_MAX_VIOLATIONS {
            let _ = write!(
                list,
                "\n…and {} more",
                n.violations.len() - SLACK_MAX_VIOLATIONS
            );
        }
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": list}}));
    }
    let where_ = if reason.is_some() {
        format!("Output: `{}`", slack_escape(alert.output))
    } else {
        format!(
            "Report: `{}`\nViolations: `{}`",
            slack_escape(&report),
            slack_escape(&violations_json)
        )
    };
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": where_}]}));
    json!({"text": text, "blocks": blocks})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor_state::ViolationKey;
    use crate::schedule::Window;

    const H13: i64 = 1_795_266_000_000; // 2026-11-21T13:00:00Z

    fn notice(event: NoticeEvent, violations: &[(&str, Option<&str>)]) -> Notice {
        Notice {
            event,
            monitor: "credit-risk-data-quality".into(),
            window: Window {
                scheduled_ms: H13 + 3_600_000,
                start_ms: H13,
                end_ms: H13 + 3_600_000,
            },
            episode_id: Some("ep-20261121T1300Z".into()),
            violation_streak: 2,
            violations: violations
                .iter()
                .map(|(c, f)| ViolationKey {
                    check_type: (*c).into(),
                    feature: f.map(str::to_owned),
                })
                .collect(),
        }
    }

    fn alert(n: &Notice) -> Alert<'_> {
        Alert {
            notice: n,
            endpoint: "credit-risk-endpoint",
            output: "s3://bucket/monitoring/credit-risk/2026/11/21/14/",
        }
    }

    const THREE: [(&str, Option<&str>); 3] = [
        ("baseline_drift_check", Some("age")),
        ("baseline_drift_check", Some("income")),
        ("data_type_check", Some("zip")),
    ];

    #[test]
    fn the_timestamp_really_is_13h() {
        assert_eq!(format_timestamp_ms(H13), "2026-11-21T13:00:00Z");
    }

    #[test]
    fn subjects_are_one_liners_per_event() {
        let n = notice(NoticeEvent::DriftDetected, &THREE);
        assert_eq!(
            email_subject("[driftmon]", &alert(&n)),
            "[driftmon] DRIFT DETECTED credit-risk-data-quality — 3 features drifted \
             (window 2026-11-21T13:00Z–14:00Z)"
        );
        let n = notice(NoticeEvent::DriftContinues, &THREE[..1]);
        assert_eq!(
            email_subject("[x]", &alert(&n)),
            "[x] DRIFT CONTINUES credit-risk-data-quality — 1 feature drifted, 2 violating \
             windows in a row (window 2026-11-21T13:00Z–14:00Z)"
        );
        let n = notice(NoticeEvent::DriftResolved, &[]);
        assert_eq!(
            email_subject("", &alert(&n)),
            "RESOLVED credit-risk-data-quality — drift episode ep-20261121T1300Z closed \
             (window 2026-11-21T13:00Z–14:00Z)"
        );
        let n = notice(
            NoticeEvent::RunFailed {
                reason: "Failed: cannot read\ns3://bucket/capture".into(),
            },
            &[],
        );
        assert_eq!(
            email_subject("[driftmon]", &alert(&n)),
            "[driftmon] RUN FAILED credit-risk-data-quality — Failed: cannot read \
             s3://bucket/capture (window 2026-11-21T13:00Z–14:00Z)"
        );
        // Violations without a feature are counted as violations.
        let n = notice(
            NoticeEvent::DriftDetected,
            &[
                ("missing_column_check", None),
                ("data_type_check", Some("a")),
            ],
        );
        assert!(summary(&alert(&n)).contains("— 2 violations ("));
    }

    #[test]
    fn windows_across_midnight_keep_both_dates() {
        assert_eq!(
            short_window(H13 + 10 * 3_600_000, H13 + 11 * 3_600_000 + 30_000),
            "2026-11-21T23:00Z–2026-11-22T00:00:30Z"
        );
    }

    #[test]
    fn the_body_says_what_where_and_what_next() {
        let n = notice(NoticeEvent::DriftDetected, &THREE);
        let b = email_body(&alert(&n));
        for want in [
            "DRIFT DETECTED: credit-risk-data-quality",
            "Monitor:          credit-risk-data-quality",
            "Endpoint:         credit-risk-endpoint",
            "Window:           2026-11-21T13:00:00Z to 2026-11-21T14:00:00Z (scheduled 2026-11-21T14:00:00Z)",
            "Episode:          ep-20261121T1300Z",
            "Violation streak: 2 consecutive violating windows",
            "Violations (3):",
            "  - baseline_drift_check: age",
            "  - data_type_check: zip",
            "Report:           s3://bucket/monitoring/credit-risk/2026/11/21/14/report.html",
            "Violations JSON:  s3://bucket/monitoring/credit-risk/2026/11/21/14/constraint_violations.json",
        ] {
            assert!(b.contains(want), "missing {want:?} in:\n{b}");
        }
        let n = notice(
            NoticeEvent::RunFailed {
                reason: "Failed: baseline missing".into(),
            },
            &[],
        );
        let b = email_body(&alert(&n));
        assert!(b.contains("Reason:\n  Failed: baseline missing\n"), "{b}");
        assert!(!b.contains("report.html"), "{b}");
    }

    #[test]
    fn driftmon_payload() {
        let n = notice(NoticeEvent::DriftDetected, &THREE[..2]);
        let p = webhook_payload(&alert(&n), false);
        assert_eq!(
            p,
            json!({
                "event": "drift_detected",
                "summary": "DRIFT DETECTED credit-risk-data-quality — 2 features drifted (window 2026-11-21T13:00Z–14:00Z)",
                "monitor": "credit-risk-data-quality",
                "endpoint": "credit-risk-endpoint",
                "window": {
                    "start": "2026-11-21T13:00:00Z",
                    "end": "2026-11-21T14:00:00Z",
                    "scheduled": "2026-11-21T14:00:00Z"
                },
                "episode_id": "ep-20261121T1300Z",
                "violation_streak": 2,
                "violations": [
                    {"check_type": "baseline_drift_check", "feature": "age"},
                    {"check_type": "baseline_drift_check", "feature": "income"}
                ],
                "reason": null,
                "output": "s3://bucket/monitoring/credit-risk/2026/11/21/14/",
                "report": "s3://bucket/monitoring/credit-risk/2026/11/21/14/report.html",
                "constraint_violations": "s3://bucket/monitoring/credit-risk/2026/11/21/14/constraint_violations.json"
            })
        );
        let n = notice(
            NoticeEvent::RunFailed {
                reason: "boom".into(),
            },
            &[],
        );
        let p = webhook_payload(&alert(&n), false);
        assert_eq!(p["event"], "run_failed");
        assert_eq!(p["reason"], "boom");
    }

    #[test]
    fn slack_payload_has_text_header_and_escaped_sections() {
        let mut n = notice(NoticeEvent::DriftDetected, &THREE);
        n.violations.push(ViolationKey {
            check_type: "baseline_drift_check".into(),
            feature: Some("a<b>&c".into()),
        });
        let p = webhook_payload(&alert(&n), true);
        assert!(
            p["text"].as_str().is_some_and(
                |t| t.starts_with("DRIFT DETECTED credit-risk-data-quality — 4 features")
            )
        );
        let blocks = p["blocks"].as_array().cloned().unwrap_or_default();
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(
            blocks[0]["text"]["text"],
            "DRIFT DETECTED: credit-risk-data-quality"
        );
        let all = p.to_string();
        assert!(all.contains("a&lt;b&gt;&amp;c"), "{all}");
        assert!(all.contains("*Endpoint:* `credit-risk-endpoint`"), "{all}");
        assert!(all.contains("report.html"), "{all}");
        assert!(blocks.iter().all(|b| b["type"] != Value::Null));
    }

    #[test]
    fn slack_lists_at_most_twenty_violations() {
        let many: Vec<(String, Option<String>)> = (0..25)
            .map(|i| ("baseline_drift_check".to_owned(), Some(format!("f{i}"))))
            .collect();
        let refs: Vec<(&str, Option<&str>)> = many
            .iter()
            .map(|(c, f)| (c.as_str(), f.as_deref()))
            .collect();
        let n = notice(NoticeEvent::DriftContinues, &refs);
        let p = webhook_payload(&alert(&n), true).to_string();
        assert!(p.contains("`f19`") && !p.contains("`f20`"), "{p}");
        assert!(p.contains("…and 5 more"), "{p}");
    }

    #[test]
    fn urls_split_and_redact() {
        let p = http_uri::parse("http://127.0.0.1:5000").map_err(|e| e.to_string());
        let p = p
            .as_ref()
            .map(|p| (p.request_uri.as_str(), p.host_header.as_str()));
        assert_eq!(p, Ok(("http://127.0.0.1:5000/", "127.0.0.1:5000")));
        let p = http_uri::parse("https://api.sagemaker.eu-west-1.amazonaws.com:443/x?y")
            .map(|p| (p.request_uri, p.host_header));
        assert_eq!(
            p,
            Ok((
                "https://api.sagemaker.eu-west-1.amazonaws.com:443/x?y".to_owned(),
                "api.sagemaker.eu-west-1.amazonaws.com".to_owned()
            ))
        );
        assert!(http_uri::parse("ftp://x").is_err());
        assert!(http_uri::parse("http://").is_err());
        assert_eq!(
            http_uri::redact("https://hooks.slack.com/services/T0/B0/secret"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            http_uri::redact("https://user:pw@example.com"),
            "https://example.com"
        );
    }

    #[test]
    fn aws_errors_parse_and_classify() {
        assert_eq!(
            aws_json_error(
                br#"{"__type":"com.amazonaws.sagemaker#ResourceNotFound","message":"no"}"#
            ),
            ("ResourceNotFound".to_owned(), "no".to_owned())
        );
        assert_eq!(
            aws_json_error(br#"{"__type":"ValidationException","Message":"bad"}"#),
            ("ValidationException".to_owned(), "bad".to_owned())
        );
        assert_eq!(aws_json_error(b"<html>"), (String::new(), String::new()));
        assert!(is_throttling("ThrottlingException"));
        assert!(!is_throttling("ValidationException"));
        assert_eq!(snippet(b"  a\nb  "), "a b");
    }

    #[test]
    fn explicit_endpoint_wins() {
        let a = LiveActions::new().sagemaker_endpoint("http://127.0.0.1:1");
        assert_eq!(
            a.sagemaker_url("eu-west-1").map_err(|e| e.message),
            Ok("http://127.0.0.1:1".to_owned())
        );
    }
}
