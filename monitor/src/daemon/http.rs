//! `/healthz` and `/metrics` over HTTP/1.1 on `[server] listen`.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

use crate::daemon::status::Status;

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

/// Serves `GET /healthz` (JSON, 200 while serving, 503 once shutdown began) and `GET /metrics`
/// (Prometheus text format 0.0.4) until `shutdown`.
pub async fn http_server(
    listener: tokio::net::TcpListener,
    status: Arc<Status>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            acc = listener.accept() => {
                let Ok((stream, _)) = acc else { continue };
                let status = status.clone();
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(Duration::from_secs(10), handle_http(stream, status)).await;
                });
            }
            _ = shutdown.changed() => break,
        }
    }
}

async fn handle_http(
    mut stream: tokio::net::TcpStream,
    status: Arc<Status>,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut parts = text.lines().next().unwrap_or("").split_whitespace();
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("");
    let (code, ctype, body) = match (method, path.split('?').next().unwrap_or("")) {
        ("GET", "/healthz") => {
            let code = if status.shutting_down() {
                "503 Service Unavailable"
            } else {
                "200 OK"
            };
            (code, "application/json", status.health().to_string())
        }
        ("GET", "/metrics") => (
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            status.prometheus(),
        ),
        ("GET", _) => ("404 Not Found", "text/plain", "not found\n".to_owned()),
        _ => (
            "405 Method Not Allowed",
            "text/plain",
            "method not allowed\n".to_owned(),
        ),
    };
    let head = format!(
        "HTTP/1.1 {code}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}
