//! The stand-ins of the outbound channels: a local HTTP listener for the robots and
//! webhooks, and a minimal SMTP sink, both recording what they receive.

use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A request a stand-in robot received.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub query: String,
    pub body: Value,
}

pub type Hits = Arc<Mutex<Vec<Hit>>>;

/// A local HTTP listener standing in for DingTalk, WeCom and webhooks: records every request
/// and answers as the robots do.
pub async fn robots() -> (String, Hits) {
    let hits: Hits = Arc::default();
    let rec = hits.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: axum::body::Bytes| {
        let rec = rec.clone();
        async move {
            rec.lock().unwrap().push(Hit {
                path: uri.path().to_string(),
                query: uri.query().unwrap_or("").to_string(),
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            });
            axum::Json(json!({"errcode": 0, "errmsg": "ok"}))
        }
    });
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    (base, hits)
}

/// A received e-mail: its recipients and its text (headers and body).
#[derive(Debug, Clone, Default)]
pub struct Mail {
    pub rcpt: Vec<String>,
    pub data: String,
}

pub type Mails = Arc<Mutex<Vec<Mail>>>;

/// A minimal SMTP sink: greets, accepts every command, collects each message.
pub async fn smtp_sink() -> (u16, Mails) {
    let mails: Mails = Arc::default();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let out = mails.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let out = out.clone();
            tokio::spawn(async move {
                let (r, mut w) = s.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.ok();
                let mut mail = Mail::default();
                while let Ok(Some(line)) = lines.next_line().await {
                    let cmd = line.to_ascii_uppercase();
                    let answer: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if cmd.starts_with("RCPT TO:") {
                        mail.rcpt.push(line[8..].trim().to_string());
                        b"250 OK\r\n"
                    } else if cmd == "DATA" {
                        w.write_all(b"354 go on\r\n").await.ok();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            mail.data.push_str(&l);
                            mail.data.push('\n');
                        }
                        out.lock().unwrap().push(std::mem::take(&mut mail));
                        b"250 queued\r\n"
                    } else if cmd == "QUIT" {
                        w.write_all(b"221 bye\r\n").await.ok();
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    w.write_all(answer).await.ok();
                }
            });
        }
    });
    (port, mails)
}

/// The subject of a message, its RFC 2047 words decoded.
pub fn subject(data: &str) -> String {
    use base64::Engine as _;
    let mut raw = String::new();
    let mut inside = false;
    for l in data.lines() {
        if let Some(s) = l.strip_prefix("Subject: ") {
            raw.push_str(s);
            inside = true;
        } else if inside && l.starts_with([' ', '\t']) {
            raw.push_str(l);
        } else {
            inside = false;
        }
    }
    let mut out = String::new();
    let mut prev_encoded = false;
    for word in raw.split_whitespace() {
        let encoded = word
            .strip_prefix("=?")
            .and_then(|w| w.strip_suffix("?="))
            .and_then(|w| {
                let mut p = w.splitn(3, '?');
                let (_, enc, text) = (p.next()?, p.next()?, p.next()?);
                enc.eq_ignore_ascii_case("b").then_some(text)
            });
        // Whitespace between two encoded words is not part of the text.
        let joined = prev_encoded && encoded.is_some();
        if !out.is_empty() && !joined {
            out.push(' ');
        }
        match encoded {
            Some(b64) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap();
                out.push_str(&String::from_utf8(bytes).unwrap());
            }
            None => out.push_str(word),
        }
        prev_encoded = encoded.is_some();
    }
    out
}

/// The text of a base64 body.
pub fn body_text(data: &str) -> String {
    use base64::Engine as _;
    let (_, body) = data.split_once("\n\n").unwrap();
    let b64: String = body.split_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    String::from_utf8(bytes).unwrap()
}
