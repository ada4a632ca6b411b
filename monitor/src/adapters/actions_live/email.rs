//! Alert e-mails over SMTP (lettre's synchronous transport, rustls on ring).

use super::*;

// ---------------------------------------------------------------------------------------------
// E-mail
// ---------------------------------------------------------------------------------------------

pub(super) fn send_email(action: &EmailAction, alert: &Alert<'_>) -> Result<(), ActionError> {
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
    let mut why = crate::adapters::aws::DisplayChain(e).to_string();
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
