//! `driftmon-lambda`: the Lambda runtime loop around [`driftmon_lambda::Handler`].
//!
//! Init (once per execution environment): read and validate the
//! configuration, build the clients and the engine. A failed init is reported to the Runtime
//! API's `/init/error` and the process exits. Then each event is handled on the blocking pool
//! (the engine is synchronous); a [`driftmon_lambda::Retryable`] failure becomes a function
//! error of type `Retryable`, everything else a JSON response.

use std::io::{Read, Write};
use std::sync::Arc;

use driftmon_lambda::Retryable;
use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde_json::Value;

/// The function error: retryable, or the handler task died.
#[derive(Debug)]
enum FunctionError {
    Retryable(Retryable),
    Panicked(String),
}

impl From<FunctionError> for Diagnostic {
    fn from(e: FunctionError) -> Diagnostic {
        match e {
            FunctionError::Retryable(r) => Diagnostic {
                error_type: "Retryable".into(),
                error_message: r.0,
            },
            FunctionError::Panicked(m) => Diagnostic {
                error_type: "Panicked".into(),
                error_message: m,
            },
        }
    }
}

/// Posts an init failure to `/2018-06-01/runtime/init/error` (plain HTTP/1.1 to the Runtime
/// API on the loopback) so that Lambda reports it as `Runtime.ConfigError`.
fn report_init_error(message: &str) {
    let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") else {
        return;
    };
    let body = serde_json::json!({
        "errorMessage": message,
        "errorType": "Runtime.ConfigError",
    })
    .to_string();
    let req = format!(
        "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: {api}\r\n\
         Lambda-Runtime-Function-Error-Type: Runtime.ConfigError\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if let Ok(mut s) = std::net::TcpStream::connect(&api) {
        let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(5)));
        let _ = s.write_all(req.as_bytes());
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    }
}

fn main() {
    let env = |k: &str| std::env::var(k).ok();
    let started = std::time::Instant::now();
    let handler = match driftmon_lambda::init(&env) {
        Ok(h) => Arc::new(h),
        Err(e) => {
            eprintln!("driftmon-lambda: init failed: {e}");
            report_init_error(&e);
            std::process::exit(1);
        }
    };
    eprintln!(
        "driftmon-lambda: init done in {} ms: {} monitor(s), owner {}",
        started.elapsed().as_millis(),
        handler.engine().config().monitors.len(),
        handler.engine().owner()
    );
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("driftmon-lambda: tokio runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = rt.block_on(lambda_runtime::run(service_fn(
        move |event: LambdaEvent<Value>| {
            let handler = handler.clone();
            async move {
                let request_id = event.context.request_id.clone();
                let res = tokio::task::spawn_blocking(move || handler.handle(&event.payload))
                    .await
                    .map_err(|e| FunctionError::Panicked(e.to_string()))?;
                match &res {
                    Ok(body) => eprintln!("driftmon-lambda: {request_id}: {body}"),
                    Err(r) => eprintln!("driftmon-lambda: {request_id}: retryable failure: {r}"),
                }
                res.map_err(FunctionError::Retryable)
            }
        },
    )));
    if let Err(e) = result {
        eprintln!("driftmon-lambda: runtime: {e}");
        std::process::exit(1);
    }
}
