//! The action port of `driftmon serve` and the Lambda: what a monitor does about a drift
//! episode (start a SageMaker pipeline, send an e-mail, post a webhook), as a trait so the
//! engine can be tested with [`RecordingActions`] and run with the live adapters
//! (`crate::adapters::actions_live`).

use std::sync::Mutex;

use crate::config::{EmailAction, WebhookAction};
use crate::control::state::{ActionTarget, Notice};

/// `scheme://host[:port]/…`: a URL with its path, query and user info hidden (a Slack
/// webhook's path is its secret).
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let raw = match rest.find(['/', '?']) {
                Some(i) => &rest[..i],
                None => rest,
            };
            let authority = raw.rsplit('@').next().unwrap_or(raw);
            if raw.len() < rest.len() {
                format!("{scheme}://{authority}/…")
            } else {
                format!("{scheme}://{authority}")
            }
        }
        None => "(not a URL)".to_owned(),
    }
}

/// A SageMaker `StartPipelineExecution` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineStart {
    /// Pipeline name or ARN.
    pub pipeline_name: String,
    /// `PipelineExecutionDisplayName`.
    pub display_name: String,
    /// `ClientRequestToken` (idempotency token: SageMaker runs one token at most once).
    pub client_request_token: String,
    /// `PipelineParameters`, rendered, in name order.
    pub parameters: Vec<(String, String)>,
    /// Region override (default: the SDK's chain).
    pub region: Option<String>,
}

/// What an e-mail or webhook alert is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert<'a> {
    /// The decision's notice.
    pub notice: &'a Notice,
    /// The endpoint.
    pub endpoint: &'a str,
    /// The window's output location (folder or `s3://` prefix), where `report.html` and
    /// `constraint_violations.json` are.
    pub output: &'a str,
}

/// An action that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{target}: {message}", target = target.as_str())]
pub struct ActionError {
    /// Which action.
    pub target: ActionTarget,
    /// Whether trying again later may succeed (a timeout, a 5xx, a refused connection) or not
    /// (a 4xx other than throttling, a rejected recipient, a missing pipeline).
    pub retryable: bool,
    /// Why, for the log and the report (never holds a secret).
    pub message: String,
}

/// Where actions go.
pub trait ActionSink: Send + Sync {
    /// Starts a pipeline execution; returns its ARN.
    fn start_pipeline(&self, start: &PipelineStart) -> Result<String, ActionError>;
    /// The ARN of an execution of `pipeline_name` with this display name, if any (used before
    /// re-issuing a start whose confirmation was lost, on services that ignore the token).
    fn find_pipeline_execution(
        &self,
        pipeline_name: &str,
        region: Option<&str>,
        display_name: &str,
    ) -> Result<Option<String>, ActionError>;
    /// Sends an alert e-mail.
    fn send_email(&self, action: &EmailAction, alert: &Alert<'_>) -> Result<(), ActionError>;
    /// Posts an alert webhook.
    fn post_webhook(&self, action: &WebhookAction, alert: &Alert<'_>) -> Result<(), ActionError>;
}

/// What [`RecordingActions`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A pipeline start.
    Pipeline(PipelineStart),
    /// An e-mail: recipients and the notice.
    Email {
        /// Recipients.
        to: Vec<String>,
        /// The notice.
        notice: Notice,
    },
    /// A webhook: URL and the notice.
    Webhook {
        /// URL.
        url: String,
        /// The notice.
        notice: Notice,
    },
}

/// An in-memory [`ActionSink`] for tests: records every action, and fails the targets it is
/// told to fail. Pipeline starts are idempotent per token, like SageMaker's.
#[derive(Debug, Default)]
pub struct RecordingActions {
    seen: Mutex<Vec<Recorded>>,
    failing: Mutex<Vec<ActionTarget>>,
}

impl RecordingActions {
    /// Everything recorded so far (failed attempts are not recorded).
    pub fn recorded(&self) -> Vec<Recorded> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Makes `target` fail (retryably) until [`RecordingActions::heal`].
    pub fn fail(&self, target: ActionTarget) {
        self.failing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(target);
    }

    /// Stops every injected failure.
    pub fn heal(&self) {
        self.failing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    fn check(&self, target: ActionTarget) -> Result<(), ActionError> {
        if self
            .failing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&target)
        {
            return Err(ActionError {
                target,
                retryable: true,
                message: "injected failure".into(),
            });
        }
        Ok(())
    }

    fn push(&self, r: Recorded) {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).push(r);
    }
}

impl ActionSink for RecordingActions {
    fn start_pipeline(&self, start: &PipelineStart) -> Result<String, ActionError> {
        self.check(ActionTarget::Pipeline)?;
        let arn = format!(
            "arn:aws:sagemaker:local:000000000000:pipeline/{}/execution/{}",
            start.pipeline_name, start.client_request_token
        );
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let dup = seen.iter().any(|r| {
            matches!(r, Recorded::Pipeline(p) if p.client_request_token == start.client_request_token)
        });
        if !dup {
            seen.push(Recorded::Pipeline(start.clone()));
        }
        Ok(arn)
    }

    fn find_pipeline_execution(
        &self,
        pipeline_name: &str,
        _region: Option<&str>,
        display_name: &str,
    ) -> Result<Option<String>, ActionError> {
        self.check(ActionTarget::Pipeline)?;
        Ok(self.recorded().into_iter().find_map(|r| match r {
            Recorded::Pipeline(p)
                if p.pipeline_name == pipeline_name && p.display_name == display_name =>
            {
                Some(format!(
                    "arn:aws:sagemaker:local:000000000000:pipeline/{}/execution/{}",
                    p.pipeline_name, p.client_request_token
                ))
            }
            _ => None,
        }))
    }

    fn send_email(&self, action: &EmailAction, alert: &Alert<'_>) -> Result<(), ActionError> {
        self.check(ActionTarget::Email)?;
        self.push(Recorded::Email {
            to: action.to.clone(),
            notice: alert.notice.clone(),
        });
        Ok(())
    }

    fn post_webhook(&self, action: &WebhookAction, alert: &Alert<'_>) -> Result<(), ActionError> {
        self.check(ActionTarget::Webhook)?;
        self.push(Recorded::Webhook {
            url: action.url.clone(),
            notice: alert.notice.clone(),
        });
        Ok(())
    }
}

/// The action sink of a build without the `actions` feature: every action fails, clearly.
#[derive(Debug, Default)]
pub struct DisabledActions;

fn disabled(target: ActionTarget) -> ActionError {
    ActionError {
        target,
        retryable: false,
        message: "this driftmon was built without the `actions` feature".into(),
    }
}

impl ActionSink for DisabledActions {
    fn start_pipeline(&self, _: &PipelineStart) -> Result<String, ActionError> {
        Err(disabled(ActionTarget::Pipeline))
    }
    fn find_pipeline_execution(
        &self,
        _: &str,
        _: Option<&str>,
        _: &str,
    ) -> Result<Option<String>, ActionError> {
        Err(disabled(ActionTarget::Pipeline))
    }
    fn send_email(&self, _: &EmailAction, _: &Alert<'_>) -> Result<(), ActionError> {
        Err(disabled(ActionTarget::Email))
    }
    fn post_webhook(&self, _: &WebhookAction, _: &Alert<'_>) -> Result<(), ActionError> {
        Err(disabled(ActionTarget::Webhook))
    }
}
