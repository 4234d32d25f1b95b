//! E-mail of the outbox: plain SMTP to the `[outbox]` relay (`smtp://[user:password@]host
//! [:port]`), a plain-text message.

use super::send::{Message, chain};
use crate::config::Outbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

/// The relay of `smtp://[user:password@]host[:port]`: host, port, credentials.
fn relay(url: &str) -> Option<(String, u16, Option<Credentials>)> {
    let rest = url.trim().strip_prefix("smtp://")?;
    let rest = rest.split(['/', '?']).next().unwrap_or(rest);
    let (creds, host_port) = match rest.rsplit_once('@') {
        Some((c, h)) => (Some(c), h),
        None => (None, rest),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (host_port, 25),
    };
    if host.is_empty() {
        return None;
    }
    let creds = creds.and_then(|c| {
        let (u, p) = c.split_once(':')?;
        let dec = |s: &str| percent_decode(s).unwrap_or_else(|| s.to_string());
        Some(Credentials::new(dec(u), dec(p)))
    });
    Some((host.to_string(), port, creds))
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
    let (host, port, creds) = relay(&cfg.smtp_url)
        .ok_or_else(|| "[outbox] smtp_url is not smtp://host[:port]".to_string())?;
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
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .timeout(Some(timeout));
    if let Some(c) = creds {
        b = b.credentials(c);
    }
    b.build().send(email).await.map(drop).map_err(|e| chain(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_urls() {
        let (h, p, c) = relay("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((h.as_str(), p, c.is_none()), ("127.0.0.1", 2525, true));
        let (h, p, c) = relay("smtp://mail%40x:p%3Ass@relay.edu.local").unwrap();
        assert_eq!((h.as_str(), p, c.is_some()), ("relay.edu.local", 25, true));
        assert!(relay("smtps://relay").is_none());
        assert!(relay("smtp://:25").is_none());
    }
}
