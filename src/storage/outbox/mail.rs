//! E-mail of the outbox: SMTP to the `[outbox]` relay, a plain-text message. The relay is
//! `smtp://[user:password@]host[:port]` (plain, port 25), `smtp+starttls://…` (STARTTLS
//! required: the message is not sent if the relay does not offer it; port 587) or
//! `smtps://…` (TLS from the first byte, port 465); a TLS relay's certificate is checked
//! against the system's roots and `[outbox] smtp_ca_file`.

use super::send::{Message, chain};
use crate::config::Outbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    Plain,
    StartTls,
    Tls,
}

/// A relay URL read: host, port, credentials, protection.
struct Relay {
    host: String,
    port: u16,
    creds: Option<Credentials>,
    security: Security,
}

/// Reads `smtp://`, `smtp+starttls://` or `smtps://` `[user:password@]host[:port]`.
fn relay(url: &str) -> Option<Relay> {
    let url = url.trim();
    let (security, rest, default_port) = if let Some(r) = url.strip_prefix("smtp://") {
        (Security::Plain, r, 25)
    } else if let Some(r) = url.strip_prefix("smtp+starttls://") {
        (Security::StartTls, r, 587)
    } else if let Some(r) = url.strip_prefix("smtps://") {
        (Security::Tls, r, 465)
    } else {
        return None;
    };
    let rest = rest.split(['/', '?']).next().unwrap_or(rest);
    let (creds, host_port) = match rest.rsplit_once('@') {
        Some((c, h)) => (Some(c), h),
        None => (None, rest),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (host_port, default_port),
    };
    if host.is_empty() {
        return None;
    }
    let creds = creds.and_then(|c| {
        let (u, p) = c.split_once(':')?;
        let dec = |s: &str| percent_decode(s).unwrap_or_else(|| s.to_string());
        Some(Credentials::new(dec(u), dec(p)))
    });
    Some(Relay {
        host: host.to_string(),
        port,
        creds,
        security,
    })
}

/// `%XX` sequences of a URL's user part.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Sends `m` to `to` through the configured relay.
pub(super) async fn send(
    cfg: &Outbox,
    to: &str,
    m: &Message,
    timeout: std::time::Duration,
) -> Result<(), String> {
    let r = relay(&cfg.smtp_url).ok_or_else(|| {
        "[outbox] smtp_url is not smtp://, smtp+starttls:// or smtps://host[:port]".to_string()
    })?;
    let from = cfg
        .from
        .parse()
        .map_err(|_| "[outbox] from is not an e-mail address".to_string())?;
    let to = to
        .parse()
        .map_err(|_| "not an e-mail address".to_string())?;
    let email = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(m.plain.clone())
        .map_err(|e| e.to_string())?;
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(r.host.clone())
        .port(r.port)
        .timeout(Some(timeout));
    if r.security != Security::Plain {
        let mut params = TlsParameters::builder(r.host.clone());
        if let Some(path) = cfg.smtp_ca_file.as_deref() {
            let pem =
                std::fs::read(path).map_err(|e| format!("[outbox] smtp_ca_file {path}: {e}"))?;
            let ca = Certificate::from_pem(&pem)
                .map_err(|e| format!("[outbox] smtp_ca_file {path}: {}", chain(&e)))?;
            params = params.add_root_certificate(ca);
        }
        let params = params.build().map_err(|e| chain(&e))?;
        b = b.tls(match r.security {
            Security::StartTls => Tls::Required(params),
            _ => Tls::Wrapper(params),
        });
    }
    if let Some(c) = r.creds {
        b = b.credentials(c);
    }
    b.build().send(email).await.map(drop).map_err(|e| chain(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(url: &str) -> (String, u16, bool, Security) {
        let r = relay(url).unwrap();
        (r.host, r.port, r.creds.is_some(), r.security)
    }

    #[test]
    fn relay_urls() {
        use Security::*;
        assert_eq!(
            read("smtp://127.0.0.1:2525"),
            ("127.0.0.1".into(), 2525, false, Plain)
        );
        assert_eq!(
            read("smtp://mail%40x:p%3Ass@relay.edu.local"),
            ("relay.edu.local".into(), 25, true, Plain)
        );
        assert_eq!(read("smtps://relay"), ("relay".into(), 465, false, Tls));
        assert_eq!(
            read("smtp+starttls://u:p@relay:2587"),
            ("relay".into(), 2587, true, StartTls)
        );
        assert_eq!(
            read("smtp+starttls://relay"),
            ("relay".into(), 587, false, StartTls)
        );
        assert!(relay("smtp://:25").is_none());
        assert!(relay("http://relay").is_none());
        assert!(relay("smtp://relay:notaport").is_none());
    }
}
