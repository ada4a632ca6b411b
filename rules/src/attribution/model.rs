//! The model port: batch prediction, as Kernel SHAP needs it (`clarify-monitors.md` §5.2
//! "Model access", §5.8).
//!
//! The pure core builds every synthetic row of a batch of records and calls
//! [`Model::predict`] once per batch; adapters in `driftmon-monitor` (SageMaker
//! `InvokeEndpoint`, plain HTTPS, a local model) serialise the rows with the predictor's
//! content type and templates, split them into requests under their payload limit (5 MiB for
//! `InvokeEndpoint`), and parse one or more scores per row out of the responses. [`Counted`]
//! wraps any model to count calls and rows and to enforce a per-run [`Budget`].

use std::fmt;

/// A model that scores rows of numeric features.
pub trait Model {
    /// One score vector per row, in row order; every vector has the same length `D ≥ 1`, the
    /// model's outputs ("labels": column `j` is `label{j}` or `label_headers[j]`).
    ///
    /// `rows` may be large (every coalition row of several records); an adapter splits it into
    /// as many requests as its payload limit needs, and fails the whole call if any fails.
    fn predict(&mut self, rows: &[&[f64]]) -> Result<Vec<Vec<f64>>, ModelError>;
}

impl<M: Model + ?Sized> Model for &mut M {
    fn predict(&mut self, rows: &[&[f64]]) -> Result<Vec<Vec<f64>>, ModelError> {
        (**self).predict(rows)
    }
}

/// Why a model call failed. Adapters fill the endpoint (or URL) and the HTTP status where they
/// have them, so that a run's failure names what failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// The service answered with an error status (InvokeEndpoint: `ValidationError` 400,
    /// `ModelError` 424, `InternalFailure` 500, `ServiceUnavailable` 503, throttling 429).
    #[error("model {endpoint}: HTTP {status}: {message}")]
    Http {
        /// The endpoint name or URL.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The service's message (for `ModelError`, its `OriginalMessage`).
        message: String,
    },
    /// No answer: connection, TLS, timeout, signing.
    #[error("model {endpoint}: {message}")]
    Transport {
        /// The endpoint name or URL.
        endpoint: String,
        /// What went wrong.
        message: String,
    },
    /// An answer that could not be read as scores (bad JSON, a JMESPath that finds nothing, a
    /// non-number).
    #[error("model {endpoint}: unreadable response: {message}")]
    Response {
        /// The endpoint name or URL.
        endpoint: String,
        /// What was wrong with it.
        message: String,
    },
    /// Scores of the wrong shape: not one vector per row, or vectors of different lengths.
    #[error("model returned {got} for {sent} rows")]
    Shape {
        /// Rows sent.
        sent: usize,
        /// What came back (`"3 rows"`, `"rows of 1 and 2 scores"`, …).
        got: String,
    },
    /// Anything else a local model reports.
    #[error("model: {0}")]
    Other(String),
}

impl ModelError {
    /// The endpoint (or URL) named by the error, if any.
    pub fn endpoint(&self) -> Option<&str> {
        match self {
            ModelError::Http { endpoint, .. }
            | ModelError::Transport { endpoint, .. }
            | ModelError::Response { endpoint, .. } => Some(endpoint),
            ModelError::Shape { .. } | ModelError::Other(_) => None,
        }
    }

    /// The HTTP status, if the service answered with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ModelError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether retrying the same call may succeed (throttling, 5xx, transport). Kernel SHAP
    /// never retries; adapters may, before they return the error.
    pub fn is_retryable(&self) -> bool {
        match self {
            ModelError::Http { status, .. } => *status == 429 || *status >= 500,
            ModelError::Transport { .. } => true,
            _ => false,
        }
    }
}

/// Limits on the model traffic of one run. `None` = unlimited.
///
/// Kernel SHAP plans every coalition of every record before the first call, so it knows the
/// exact cost up front: a run over budget fails with [`BudgetExceeded`] **before** any call (no
/// partial, misleading global values, and no money spent on a run that cannot finish).
/// [`Counted`] enforces the same limits again at call time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Budget {
    /// Most [`Model::predict`] calls.
    pub max_calls: Option<u64>,
    /// Most rows sent, all calls together.
    pub max_rows: Option<u64>,
}

/// What a run sent to the model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// [`Model::predict`] calls.
    pub calls: u64,
    /// Rows sent.
    pub rows: u64,
}

/// A run needs more than its [`Budget`] allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("model budget exceeded: the run needs {needed}, the budget allows {budget}")]
pub struct BudgetExceeded {
    /// What the run needs (or would have reached with the refused call).
    pub needed: Usage,
    /// The limits.
    pub budget: BudgetDisplay,
}

/// [`Budget`] for messages (`unlimited` where `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetDisplay(pub Budget);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} calls and {} rows", self.calls, self.rows)
    }
}

impl fmt::Display for BudgetDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: Option<u64>| {
            v.map(|n| n.to_string())
                .unwrap_or_else(|| "unlimited".into())
        };
        write!(
            f,
            "{} calls and {} rows",
            show(self.0.max_calls),
            show(self.0.max_rows)
        )
    }
}

impl Budget {
    /// Unlimited.
    pub const UNLIMITED: Budget = Budget {
        max_calls: None,
        max_rows: None,
    };

    /// `Err` when `usage` goes beyond a limit.
    pub fn check(&self, usage: Usage) -> Result<(), BudgetExceeded> {
        let over_calls = self.max_calls.is_some_and(|m| usage.calls > m);
        let over_rows = self.max_rows.is_some_and(|m| usage.rows > m);
        if over_calls || over_rows {
            Err(BudgetExceeded {
                needed: usage,
                budget: BudgetDisplay(*self),
            })
        } else {
            Ok(())
        }
    }
}

/// Either a model failure or a refused call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    /// The model failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The call would go beyond the budget; it was not made.
    #[error(transparent)]
    Budget(#[from] BudgetExceeded),
}

/// A model with a meter: counts calls and rows, refuses calls beyond the budget, and checks the
/// shape of every answer (one vector per row, all of one length).
#[derive(Debug)]
pub struct Counted<M> {
    inner: M,
    budget: Budget,
    usage: Usage,
    outputs: Option<usize>,
}

impl<M: Model> Counted<M> {
    /// Wraps `inner` with `budget`.
    pub fn new(inner: M, budget: Budget) -> Counted<M> {
        Counted {
            inner,
            budget,
            usage: Usage::default(),
            outputs: None,
        }
    }

    /// Calls and rows so far.
    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// The number of outputs per row the model has answered with (after the first call).
    pub fn outputs(&self) -> Option<usize> {
        self.outputs
    }

    /// The wrapped model.
    pub fn into_inner(self) -> M {
        self.inner
    }

    /// One metered, shape-checked call.
    pub fn call(&mut self, rows: &[&[f64]]) -> Result<Vec<Vec<f64>>, CallError> {
        let next = Usage {
            calls: self.usage.calls + 1,
            rows: self.usage.rows + rows.len() as u64,
        };
        self.budget.check(next)?;
        self.usage = next;
        let out = self.inner.predict(rows)?;
        if out.len() != rows.len() {
            return Err(ModelError::Shape {
                sent: rows.len(),
                got: format!("{} rows", out.len()),
            }
            .into());
        }
        let width = self.outputs.or_else(|| out.first().map(Vec::len));
        if let Some(w) = width {
            if let Some(bad) = out.iter().find(|r| r.len() != w) {
                return Err(ModelError::Shape {
                    sent: rows.len(),
                    got: format!("rows of {} and {} scores", w, bad.len()),
                }
                .into());
            }
            if w == 0 {
                return Err(ModelError::Shape {
                    sent: rows.len(),
                    got: "rows without scores".into(),
                }
                .into());
            }
            self.outputs = Some(w);
        }
        Ok(out)
    }
}

/// A model from a closure scoring one row (tests, local models).
pub struct FnModel<F>(pub F);

impl<F: FnMut(&[f64]) -> Vec<f64>> Model for FnModel<F> {
    fn predict(&mut self, rows: &[&[f64]]) -> Result<Vec<Vec<f64>>, ModelError> {
        Ok(rows.iter().map(|r| (self.0)(r)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_refuses_beyond_the_budget() {
        let mut m = Counted::new(
            FnModel(|r: &[f64]| vec![r[0]]),
            Budget {
                max_calls: Some(2),
                max_rows: Some(3),
            },
        );
        let a = [1.0];
        m.call(&[&a, &a]).unwrap();
        assert_eq!(m.usage(), Usage { calls: 1, rows: 2 });
        let err = m.call(&[&a, &a]).unwrap_err();
        assert!(matches!(err, CallError::Budget(_)), "{err}");
        assert_eq!(
            err.to_string(),
            "model budget exceeded: the run needs 2 calls and 4 rows, the budget allows 2 calls and 3 rows"
        );
        // The refused call was not counted.
        assert_eq!(m.usage(), Usage { calls: 1, rows: 2 });
        m.call(&[&a]).unwrap();
        assert!(m.call(&[&a]).is_err());
    }

    #[test]
    fn rejects_answers_of_the_wrong_shape() {
        let mut short = Counted::new(FnModel(|_: &[f64]| vec![]), Budget::UNLIMITED);
        assert!(short.call(&[&[1.0]]).is_err());
        struct Drops;
        impl Model for Drops {
            fn predict(&mut self, rows: &[&[f64]]) -> Result<Vec<Vec<f64>>, ModelError> {
                Ok(vec![vec![0.0]; rows.len() - 1])
            }
        }
        let mut m = Counted::new(Drops, Budget::UNLIMITED);
        let e = m.call(&[&[1.0], &[2.0]]).unwrap_err();
        assert_eq!(e.to_string(), "model returned 1 rows for 2 rows");
    }

    #[test]
    fn errors_carry_endpoint_and_status() {
        let e = ModelError::Http {
            endpoint: "my-endpoint".into(),
            status: 424,
            message: "Received server error (500) from model".into(),
        };
        assert_eq!(e.endpoint(), Some("my-endpoint"));
        assert_eq!(e.status(), Some(424));
        assert!(!e.is_retryable());
        assert_eq!(
            e.to_string(),
            "model my-endpoint: HTTP 424: Received server error (500) from model"
        );
    }
}
