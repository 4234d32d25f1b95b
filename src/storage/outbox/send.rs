//! The outbox job: sends one delivery — a DingTalk or WeCom robot's markdown message, the
//! warning's JSON to a webhook, or an e-mail — with a short timeout, and records the outcome
//! on the delivery. A failure is returned to the job queue, which retries it with a growing
//! delay; the last attempt leaves the delivery `failed`.

use super::{ChannelKind, Settings};
use crate::domain::Code;
use crate::error::{Error, Result};
use crate::i18n::{Lang, tr};
use crate::storage::entity::{
    notification_channel as channel, notification_delivery as delivery, org, warning,
};
use crate::storage::warnings::Warning;
use bytes::Bytes;
use chrono::{Duration, Utc};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::rt::TokioExecutor;
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use sea_orm::{DatabaseConnection, IntoActiveModel};
use serde_json::{Value, json};
use std::sync::OnceLock;

/// The most of a webhook's answer that is read.
const ANSWER_LIMIT: usize = 64 * 1024;

/// What is sent: the same words on every channel.
pub(super) struct Message {
    /// `[红色预警] <school> <detail>`: the e-mail's subject, DingTalk's title.
    pub subject: String,
    /// The robots' markdown.
    pub markdown: String,
    /// The e-mail's body.
    pub plain: String,
}

/// The message of a warning, in Chinese: level, school, what, when (China time), the link.
pub(super) fn message(w: &Warning, public_url: Option<&str>) -> Message {
    let level = tr(Lang::Zh, &w.level.label_key());
    let full = tr(
        Lang::Zh,
        &format!("warning_level_full.{}", w.level.as_str()),
    );
    let at = (w.raised_at + Duration::hours(8)).format("%Y-%m-%d %H:%M:%S");
    let path = format!("/warnings/{}", w.id);
    let link = match public_url.map(|u| u.trim().trim_end_matches('/')) {
        Some(base) if !base.is_empty() => format!("{base}{path}"),
        _ => path,
    };
    let subject = format!("[{level}] {} {}", w.school_name, w.detail);
    let markdown = format!(
        "### 【{level}】{school}\n\n- 级别：{full}\n- 学校：{school}\n- 内容：{detail}\n\
         - 时间：{at}（北京时间）\n- 详情：[{link}]({link})\n",
        school = w.school_name,
        detail = w.detail,
    );
    let plain = format!(
        "{level}\n\n级别：{full}\n学校：{school}\n内容：{detail}\n时间：{at}（北京时间）\n\
         详情：{link}\n\n—— 平安校园安全管理平台（本邮件由系统自动发送，请勿回复）\n",
        school = w.school_name,
        detail = w.detail,
    );
    Message {
        subject,
        markdown,
        plain,
    }
}

/// DingTalk's signature of `timestamp` (ms): base64 of HMAC-SHA256 over `"<timestamp>\n<secret>"`
/// keyed with the secret, as the query `timestamp=…&sign=…` (URL-encoded).
pub(super) fn dingtalk_query(secret: &str, timestamp: i64) -> String {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}\n{secret}").as_bytes());
    let sign = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    serde_urlencoded::to_string([("timestamp", timestamp.to_string()), ("sign", sign)])
        .unwrap_or_default()
}

/// Runs the outbox job of `payload` (`{"delivery": id}`) at attempt `attempt` of `max`.
pub(in crate::storage) async fn deliver(
    conn: &DatabaseConnection,
    payload: &str,
    attempt: i32,
    max: i32,
    s: &Settings,
) -> Result<Value> {
    let id = serde_json::from_str::<Value>(payload)
        .ok()
        .and_then(|v| v["delivery"].as_i64())
        .ok_or_else(|| Error::internal(anyhow::anyhow!("an outbox job without its delivery")))?;
    let Some(d) = delivery::Entity::find_by_id(id).one(conn).await? else {
        return Ok(json!({"delivery": id, "status": "gone"}));
    };
    // Sent, or given up: running the job again changes nothing.
    if d.status != "pending" {
        return Ok(json!({"delivery": id, "status": d.status}));
    }
    let c = channel::Entity::find_by_id(d.channel_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let w = warning::Entity::find_by_id(d.warning_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let school = org::Entity::find_by_id(w.school_id)
        .one(conn)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let w = crate::storage::warnings::view(w, school);
    let outcome = match (c.enabled, ChannelKind::parse(&c.kind)) {
        (false, _) => Err("the channel was disabled".to_string()),
        (true, None) => Err(format!("unknown channel kind {}", c.kind)),
        (true, Some(kind)) => send(kind, &c, &w, s).await,
    };
    // A disabled channel is not tried again.
    let last = attempt >= max || !c.enabled;
    let mut am = d.into_active_model();
    am.attempts = Set(attempt);
    match &outcome {
        Ok(()) => {
            am.status = Set("sent".into());
            am.sent_at = Set(Some(Utc::now()));
            am.last_error = Set(String::new());
        }
        Err(e) => {
            am.status = Set(if last { "failed" } else { "pending" }.into());
            am.last_error = Set(e.chars().take(500).collect());
        }
    }
    am.update(conn).await?;
    match outcome {
        Ok(()) => Ok(json!({"delivery": id, "status": "sent"})),
        Err(_) if !c.enabled => Ok(json!({"delivery": id, "status": "failed"})),
        Err(e) => Err(Error::internal(anyhow::anyhow!(
            "delivery {id} to channel {}: {e}",
            c.id
        ))),
    }
}

/// Sends one warning on one channel.
async fn send(
    kind: ChannelKind,
    c: &channel::Model,
    w: &Warning,
    s: &Settings,
) -> std::result::Result<(), String> {
    let timeout = std::time::Duration::from_secs(s.outbox.timeout_seconds.clamp(1, 60));
    let m = message(w, s.public_url.as_deref());
    match kind {
        ChannelKind::Email => super::mail::send(&s.outbox, &c.target, &m, timeout).await,
        ChannelKind::Webhook => {
            let body = serde_json::to_vec(w).map_err(|e| e.to_string())?;
            post(&c.target, body, timeout).await.map(drop)
        }
        ChannelKind::Dingtalk => {
            let url = match c.secret.as_deref() {
                Some(secret) => {
                    let sep = if c.target.contains('?') { '&' } else { '?' };
                    let q = dingtalk_query(secret, Utc::now().timestamp_millis());
                    format!("{}{sep}{q}", c.target)
                }
                None => c.target.clone(),
            };
            let body = json!({"msgtype": "markdown",
                "markdown": {"title": m.subject, "text": m.markdown}});
            robot_answer(post(&url, body.to_string().into_bytes(), timeout).await?)
        }
        ChannelKind::Wecom => {
            let body = json!({"msgtype": "markdown", "markdown": {"content": m.markdown}});
            robot_answer(post(&c.target, body.to_string().into_bytes(), timeout).await?)
        }
    }
}

/// The robots answer 200 with `{"errcode": 0}` on success, another code with its reason.
fn robot_answer(body: Vec<u8>) -> std::result::Result<(), String> {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    match v["errcode"].as_i64() {
        None | Some(0) => Ok(()),
        Some(code) => Err(format!(
            "the robot refused: errcode {code} {}",
            v["errmsg"].as_str().unwrap_or("")
        )),
    }
}

/// The HTTPS connector (roots from the system's store), made once; `Err` says why HTTPS
/// cannot be used on this server.
fn https() -> &'static std::result::Result<hyper_rustls::HttpsConnector<HttpConnector>, String> {
    static C: OnceLock<std::result::Result<hyper_rustls::HttpsConnector<HttpConnector>, String>> =
        OnceLock::new();
    C.get_or_init(|| {
        hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map(|b| b.https_or_http().enable_http1().build())
            .map_err(|e| format!("HTTPS unavailable (no trusted root certificates): {e}"))
    })
}

/// POSTs JSON to `url` and answers the body of a 2xx answer, within `timeout` (also the
/// audit anchor's way out).
pub(in crate::storage) async fn post(
    url: &str,
    body: Vec<u8>,
    timeout: std::time::Duration,
) -> std::result::Result<Vec<u8>, String> {
    let uri: http::Uri = url.parse().map_err(|_| "not a valid URL".to_string())?;
    let req = http::Request::post(uri)
        .header(
            http::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .header(http::header::USER_AGENT, "SafeCampus")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let run = async {
        match (url.starts_with("https://"), https()) {
            (_, Ok(c)) => exchange(c.clone(), req).await,
            (true, Err(why)) => Err(why.clone()),
            (false, Err(_)) => exchange(HttpConnector::new(), req).await,
        }
    };
    tokio::time::timeout(timeout, run)
        .await
        .map_err(|_| format!("no answer within {} s", timeout.as_secs()))?
}

async fn exchange<C: Connect + Clone + Send + Sync + 'static>(
    connector: C,
    req: http::Request<Full<Bytes>>,
) -> std::result::Result<Vec<u8>, String> {
    let client: Client<C, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .build(connector);
    let res = client.request(req).await.map_err(|e| chain(&e))?;
    let status = res.status();
    let body = Limited::new(res.into_body(), ANSWER_LIMIT)
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if !status.is_success() {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    Ok(body.to_vec())
}

/// An error with its causes (`client error (Connect): tcp connect error: Connection refused`).
pub(super) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::warning::Level;

    /// DingTalk's documented example: the signature is URL-encoded base64 of HMAC-SHA256.
    #[test]
    fn dingtalk_signature_is_urlencoded_base64_hmac() {
        let q = dingtalk_query("SEC000", 1_700_000_000_000);
        assert!(q.starts_with("timestamp=1700000000000&sign="), "{q}");
        let sign = q.split("sign=").nth(1).unwrap();
        assert!(!sign.contains('+') && !sign.contains('/') && !sign.contains('='));
        assert!(sign.ends_with("%3D"), "base64 padding is encoded: {sign}");
    }

    #[test]
    fn levels_have_chinese_labels() {
        assert_eq!(tr(Lang::Zh, &Level::Red.label_key()), "红色预警");
    }
}
