//! The `[monitor.actions]` tables: the retraining pipeline, e-mail and webhook, validated.

use super::raw::*;
use super::secrets::*;
use super::types::*;
use super::validate::*;
use super::*;

pub(super) fn actions(v: Value, path: &str, ctx: &ValidateContext<'_>, errs: &mut Errs) -> Actions {
    let (raw, _): (RawActions, _) = decode(v, path, errs);
    let mut out = Actions::default();
    if let Some(v) = raw.pipeline {
        out.pipeline = Some(pipeline(v, path, errs));
    }
    if let Some(v) = raw.email {
        out.email = Some(email(v, path, ctx, errs));
    }
    if let Some(v) = raw.webhook {
        out.webhook = Some(webhook(v, path, ctx, errs));
    }
    out
}

/// `[monitor.actions.pipeline]`: the SageMaker pipeline started on a violation.
fn pipeline(v: Value, path: &str, errs: &mut Errs) -> PipelineAction {
    let p = join_path(path, "pipeline");
    let (r, bad): (RawPipeline, _) = decode(v, &p, errs);
    let name = match r.pipeline_name {
        Some(n) => {
            let plain = n.strip_prefix("arn:").is_some() || valid_aws_name(&n, 256);
            if !plain {
                errs.push(
                    &join_path(&p, "pipeline_name"),
                    format!(
                        "`{n}` is not a pipeline name (letters, digits and hyphens, ≤ 256) \
                         or ARN"
                    ),
                );
            }
            n
        }
        None => {
            if !bad.contains("pipeline_name") {
                errs.push(&p, "missing key `pipeline_name`");
            }
            String::new()
        }
    };
    let parameters = r.parameters.unwrap_or_default();
    for (k, v) in &parameters {
        let kp = format!("{p}.parameters.{k}");
        if k.is_empty()
            || k.len() > 256
            || !k
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            errs.push(
                &kp,
                "parameter names are 1–256 letters, digits, `-` and `_`",
            );
        }
        match render(v, &|_| String::new()) {
            Err(e) => errs.push(&kp, e),
            Ok(_) if v.len() > 1024 => {
                errs.push(&kp, "parameter values are at most 1024 characters")
            }
            Ok(_) => {}
        }
    }
    PipelineAction {
        pipeline_name: name,
        parameters,
        region: r.region,
        cooldown_ms: duration_ms(
            r.cooldown.as_deref(),
            86_400_000,
            0,
            &join_path(&p, "cooldown"),
            errs,
        ),
    }
}

/// `[monitor.actions.email]`: the SMTP message sent on a violation.
fn email(v: Value, path: &str, ctx: &ValidateContext<'_>, errs: &mut Errs) -> EmailAction {
    let p = join_path(path, "email");
    let (r, bad): (RawEmail, _) = decode(v, &p, errs);
    let missing = |k: &str, present: bool, errs: &mut Errs| {
        if !present && !bad.contains(k) {
            errs.push(&p, format!("missing key `{k}`"));
        }
    };
    missing("to", r.to.is_some(), errs);
    missing("from", r.from.is_some(), errs);
    missing("smtp_host", r.smtp_host.is_some(), errs);
    if matches!(&r.to, Some(OneOrMany::Many(v)) if v.is_empty()) {
        errs.push(&join_path(&p, "to"), "no recipient");
    }
    let to = match r.to {
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
        None => Vec::new(),
    };
    for (i, a) in to.iter().enumerate() {
        if !looks_like_address(a) {
            errs.push(
                &format!("{p}.to[{i}]"),
                format!("`{a}` is not an e-mail address"),
            );
        }
    }
    if let Some(f) = &r.from {
        if !looks_like_address(f) {
            errs.push(
                &join_path(&p, "from"),
                format!("`{f}` is not an e-mail address"),
            );
        }
    }
    let tls = match r.tls.as_deref() {
        None | Some("starttls") => SmtpTls::StartTls,
        Some("opportunistic") => SmtpTls::Opportunistic,
        Some("implicit") => SmtpTls::Implicit,
        Some("none") => SmtpTls::None,
        Some(o) => {
            errs.push(
                &join_path(&p, "tls"),
                format!("`{o}` is not one of starttls, opportunistic, implicit, none"),
            );
            SmtpTls::StartTls
        }
    };
    let port = r.smtp_port.unwrap_or(match tls {
        SmtpTls::StartTls | SmtpTls::Opportunistic => 587,
        SmtpTls::Implicit => 465,
        SmtpTls::None => 25,
    });
    if port == 0 {
        errs.push(&join_path(&p, "smtp_port"), "port 0 is not a port");
    }
    let password = secret(
        r.password_env.as_deref(),
        r.password_file.as_deref(),
        "password",
        &p,
        ctx,
        errs,
    );
    let has_password = r.password_env.is_some() || r.password_file.is_some();
    if r.username.is_some() != has_password {
        errs.push(
            &p,
            if has_password {
                "a password is set but no `username`"
            } else {
                "`username` is set but no `password_env` or `password_file`"
            },
        );
    }
    if r.username.is_some() && tls == SmtpTls::None {
        errs.push(
            &join_path(&p, "tls"),
            "refusing to send a password over plain text: use starttls or implicit",
        );
    }
    let timeout = r.timeout_seconds.unwrap_or(30);
    if timeout == 0 {
        errs.push(&join_path(&p, "timeout_seconds"), "must be at least 1");
    }
    EmailAction {
        to,
        from: r.from.unwrap_or_default(),
        smtp_host: r.smtp_host.unwrap_or_default(),
        smtp_port: port,
        tls,
        username: r.username,
        password,
        subject_prefix: r.subject_prefix.unwrap_or_else(|| "[driftmon]".into()),
        timeout: Duration::from_secs(timeout.max(1)),
        cooldown_ms: duration_ms(
            r.cooldown.as_deref(),
            3_600_000,
            0,
            &join_path(&p, "cooldown"),
            errs,
        ),
    }
}

/// `[monitor.actions.webhook]`: the HTTP POST (or Slack message) sent on a violation.
fn webhook(v: Value, path: &str, ctx: &ValidateContext<'_>, errs: &mut Errs) -> WebhookAction {
    let p = join_path(path, "webhook");
    let (r, bad): (RawWebhook, _) = decode(v, &p, errs);
    let url = match r.url {
        Some(u) => {
            let rest = u
                .strip_prefix("https://")
                .or_else(|| u.strip_prefix("http://"));
            match rest {
                Some(r) if !r.is_empty() && !r.starts_with('/') => {}
                _ => errs.push(
                    &join_path(&p, "url"),
                    format!("`{u}` is not an http:// or https:// URL"),
                ),
            }
            u
        }
        None => {
            if !bad.contains("url") {
                errs.push(&p, "missing key `url`");
            }
            String::new()
        }
    };
    let token = secret(
        r.token_env.as_deref(),
        r.token_file.as_deref(),
        "token",
        &p,
        ctx,
        errs,
    );
    let timeout = r.timeout_seconds.unwrap_or(10);
    if timeout == 0 {
        errs.push(&join_path(&p, "timeout_seconds"), "must be at least 1");
    }
    WebhookAction {
        url,
        slack: r.slack.unwrap_or(false),
        token,
        timeout: Duration::from_secs(timeout.max(1)),
        cooldown_ms: duration_ms(
            r.cooldown.as_deref(),
            3_600_000,
            0,
            &join_path(&p, "cooldown"),
            errs,
        ),
    }
}

pub(super) fn looks_like_address(a: &str) -> bool {
    // `Name <user@host>` or `user@host`; the SMTP library does the full parse.
    let addr = match (a.find('<'), a.rfind('>')) {
        (Some(i), Some(j)) if i < j => &a[i + 1..j],
        _ => a,
    };
    match addr.split_once('@') {
        Some((u, h)) => {
            !u.is_empty()
                && !h.is_empty()
                && !addr.contains(char::is_whitespace)
                && !h.contains('@')
        }
        None => false,
    }
}
