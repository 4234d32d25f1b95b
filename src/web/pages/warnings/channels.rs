//! The bureau's notification channels (`/channels`): the channels in scope with the forms to
//! add one, change one and turn one on or off; and their delivery log
//! (`/channels/deliveries`). A stored secret is never shown back, only whether one is set; a
//! stored robot address is shown without its query (where the robots carry their access
//! token), so the edit form leaves the address empty: empty keeps it.

use super::*;
use crate::storage::outbox::{
    Channel, ChannelKind, ChannelPatch, DeliveryFilter, DeliveryList, NewChannel, STATUSES,
};
use crate::web::ctx::Form;
use axum::extract::Path;
use axum::http::StatusCode;

/// A channel form as the page sends it (the add form and each channel's edit form). Every
/// field is text so that storage's checks, not the parser, judge what is wrong.
#[derive(Deserialize, Default, Clone)]
pub struct ChannelForm {
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    secret: String,
    /// `on`: remove the stored secret.
    #[serde(default)]
    clear_secret: String,
    #[serde(default)]
    min_level: String,
    /// `on` when the box is ticked.
    #[serde(default)]
    enabled: String,
    /// `1` or `0`: only turn the channel on or off (the list's button).
    #[serde(default)]
    set_enabled: String,
}

fn ticked(v: &str) -> bool {
    matches!(v, "on" | "1" | "true")
}

fn text(v: &str) -> Option<String> {
    Some(v.trim().to_string()).filter(|s| !s.is_empty())
}

impl ChannelForm {
    fn to_new(&self) -> Result<NewChannel, Error> {
        let org_id = match self.org_id.trim() {
            "" => return Err(Error::field("org_id", "err.required")),
            s => s
                .parse::<i64>()
                .map_err(|_| Error::field("org_id", "err.invalid_input"))?,
        };
        Ok(NewChannel {
            org_id,
            kind: self.kind.clone(),
            name: self.name.clone(),
            target: self.target.clone(),
            secret: text(&self.secret),
            min_level: Some(self.min_level.clone()),
            enabled: Some(ticked(&self.enabled)),
        })
    }

    fn to_patch(&self) -> ChannelPatch {
        match self.set_enabled.trim() {
            "1" => ChannelPatch {
                enabled: Some(true),
                ..ChannelPatch::default()
            },
            "0" => ChannelPatch {
                enabled: Some(false),
                ..ChannelPatch::default()
            },
            _ => ChannelPatch {
                kind: Some(self.kind.clone()),
                name: Some(self.name.clone()),
                // Empty: the stored address stays (it is not shown back).
                target: text(&self.target),
                secret: if ticked(&self.clear_secret) {
                    Some(String::new())
                } else {
                    text(&self.secret)
                },
                min_level: Some(self.min_level.clone()),
                enabled: Some(ticked(&self.enabled)),
            },
        }
    }
}

/// An address as the page shows it: an e-mail address as it is; a URL without its user,
/// query and fragment, and long path segments cut short (robots and webhooks carry their
/// access tokens there).
pub fn shown_target(kind: ChannelKind, target: &str) -> String {
    if kind == ChannelKind::Email {
        return target.to_string();
    }
    let (scheme, rest) = match target.split_once("://") {
        Some((s, r)) => (s, r),
        None => return "…".into(),
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let (base, tail) = rest.split_at(end);
    let (authority, path) = match base.find('/') {
        Some(i) => base.split_at(i),
        None => (base, ""),
    };
    let host = authority.rsplit('@').next().unwrap_or("");
    let path: Vec<String> = path
        .split('/')
        .map(|seg| {
            if seg.chars().count() > 20 {
                format!("{}…", seg.chars().take(4).collect::<String>())
            } else {
                seg.to_string()
            }
        })
        .collect();
    let mut out = format!("{scheme}://{host}{}", path.join("/"));
    if !tail.is_empty() {
        out.push_str("?…");
    }
    out
}

/// A refused form: which one (`None`: the add form), its values and messages.
struct Refused {
    id: Option<i64>,
    v: ChannelForm,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "warnings/channels.html")]
struct ChannelsPage {
    c: Chrome,
    channels: Vec<Channel>,
    /// The bureaus a channel may belong to: (id, name).
    orgs: Vec<(i64, String)>,
    kinds: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    can_manage: bool,
    refused: Option<Refused>,
}

impl ChannelsPage {
    fn css(&self) -> String {
        css()
    }
    fn kind_label(&self, k: &ChannelKind) -> String {
        tr(self.c.lang, &format!("channel.kind.{}", k.as_str()))
    }
    fn target(&self, ch: &Channel) -> String {
        shown_target(ch.kind, &ch.target)
    }
    fn colour(&self, l: &Level) -> String {
        colour(self.c.lang, *l)
    }
    fn refused_here(&self, id: Option<i64>) -> Option<&Refused> {
        self.refused.as_ref().filter(|r| r.id == id)
    }
    /// The form's message for `field` (of the refused form only).
    fn err(&self, id: &Option<i64>, field: &str) -> String {
        self.refused_here(*id)
            .map(|r| r.errors.get(field))
            .unwrap_or_default()
    }
    /// The refused form's general message.
    fn general(&self, id: &Option<i64>) -> String {
        self.refused_here(*id)
            .map(|r| r.errors.general.clone())
            .unwrap_or_default()
    }
    fn edit_err(&self, ch: &Channel, field: &str) -> String {
        self.err(&Some(ch.id), field)
    }
    fn edit_general(&self, ch: &Channel) -> String {
        self.general(&Some(ch.id))
    }
    fn new_err(&self, field: &str) -> String {
        self.err(&None, field)
    }
    fn new_general(&self) -> String {
        self.general(&None)
    }
    fn open(&self, id: &i64) -> bool {
        self.refused_here(Some(*id)).is_some()
    }
    /// The add form's value of `field`: the refused values, else the defaults.
    fn new_val(&self, field: &str) -> String {
        match self.refused_here(None) {
            Some(r) => value(&r.v, field),
            None => match field {
                "min_level" => "red".into(),
                "enabled" => "on".into(),
                "org_id" => self
                    .orgs
                    .first()
                    .map(|o| o.0.to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            },
        }
    }
    /// An edit form's value of `field`: the refused values, else the channel's own (never
    /// its secret or its address).
    fn edit_val(&self, ch: &Channel, field: &str) -> String {
        if let Some(r) = self.refused_here(Some(ch.id)) {
            return value(&r.v, field);
        }
        match field {
            "kind" => ch.kind.as_str().into(),
            "name" => ch.name.clone(),
            "min_level" => ch.min_level.as_str().into(),
            "enabled" => if ch.enabled { "on" } else { "" }.into(),
            _ => String::new(),
        }
    }
}

/// A submitted value to fill the form again (a secret never comes back).
fn value(v: &ChannelForm, field: &str) -> String {
    match field {
        "org_id" => v.org_id.clone(),
        "kind" => v.kind.clone(),
        "name" => v.name.clone(),
        "target" => v.target.clone(),
        "min_level" => v.min_level.clone(),
        "enabled" => if ticked(&v.enabled) { "on" } else { "" }.into(),
        _ => String::new(),
    }
}

async fn page(ctx: &Ctx, refused: Option<Refused>) -> Result<Response, Error> {
    let db = ctx.db_as(Action::ChannelView)?;
    let channels = db.channels().list().await?;
    let orgs = db
        .orgs()
        .list()
        .await?
        .into_iter()
        .map(|o| (o.id.0, o.name))
        .collect();
    let c = Chrome::for_ctx(ctx, "channel.title", "/channels");
    let kinds = ChannelKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                tr(c.lang, &format!("channel.kind.{}", k.as_str())),
            )
        })
        .collect();
    let failed = refused.is_some();
    let mut r = render(&ChannelsPage {
        can_manage: c.can(ctx.actor.role(), Action::ChannelManage),
        levels: code_labels::<Level>(c.lang),
        kinds,
        c,
        channels,
        orgs,
        refused,
    })?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn channels(ctx: Ctx) -> Result<Response, Error> {
    page(&ctx, None).await
}

/// A field error comes back on the page (422) with the form filled again; anything else
/// (out of scope, not allowed) is the error it is.
async fn on_the_page(
    ctx: &Ctx,
    id: Option<i64>,
    v: ChannelForm,
    e: Error,
) -> Result<Response, Error> {
    match FormErrors::from_error(&e, ctx.lang) {
        Some(errors) => page(ctx, Some(Refused { id, v, errors })).await,
        None => Err(e),
    }
}

pub async fn create_channel(ctx: Ctx, Form(v): Form<ChannelForm>) -> Result<Response, Error> {
    let res = match v.to_new() {
        Ok(input) => ctx.db().channels().create(input).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(ch) => Ok(see_other(&format!("/channels#channel-{}", ch.id))),
        Err(e) => on_the_page(&ctx, None, v, e).await,
    }
}

pub async fn update_channel(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<ChannelForm>,
) -> Result<Response, Error> {
    match ctx.db().channels().update(id, v.to_patch()).await {
        Ok(ch) => Ok(see_other(&format!("/channels#channel-{}", ch.id))),
        Err(e) => on_the_page(&ctx, Some(id), v, e).await,
    }
}

// ---------------------------------------------------------------------------------------------
// The delivery log
// ---------------------------------------------------------------------------------------------

/// The log's query as its filter form sends it (blank values mean "any").
#[derive(Deserialize, Serialize, Default)]
pub struct DeliveriesQ {
    #[serde(default, skip_serializing_if = "blank")]
    channel_id: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    status: Option<String>,
    #[serde(default, skip_serializing)]
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "warnings/deliveries.html")]
struct DeliveriesPage {
    c: Chrome,
    list: DeliveryList,
    channels: Vec<Channel>,
    q: DeliveriesQ,
    query: String,
    pages: u64,
}

impl DeliveriesPage {
    fn css(&self) -> String {
        css()
    }
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        china_time(t)
    }
    fn kind_label(&self, k: &ChannelKind) -> String {
        tr(self.c.lang, &format!("channel.kind.{}", k.as_str()))
    }
    fn status_label(&self, s: &str) -> String {
        if STATUSES.contains(&s) {
            tr(self.c.lang, &format!("channel.delivery.{s}"))
        } else {
            s.to_string()
        }
    }
    fn statuses(&self) -> Vec<(&'static str, String)> {
        STATUSES
            .iter()
            .map(|s| (*s, tr(self.c.lang, &format!("channel.delivery.{s}"))))
            .collect()
    }
    fn sel_status(&self, s: &str) -> bool {
        self.q.status.as_deref() == Some(s)
    }
    fn sel_channel(&self, id: &i64) -> bool {
        self.q.channel_id.as_deref() == Some(id.to_string().as_str())
    }
    fn page_link(&self, page: u64) -> String {
        if self.query.is_empty() {
            format!("/channels/deliveries?page={page}")
        } else {
            format!("/channels/deliveries?{}&page={page}", self.query)
        }
    }
}

pub async fn deliveries(ctx: Ctx, q: Q<DeliveriesQ>) -> Result<Response, Error> {
    let Query(q) = q.map_err(|e| Error::validation(e.body_text()))?;
    let channel_id = match given(&q.channel_id) {
        Some(s) => Some(
            s.parse::<i64>()
                .map_err(|_| Error::field("channel_id", "err.invalid_input"))?,
        ),
        None => None,
    };
    let f = DeliveryFilter {
        channel_id,
        status: given(&q.status),
        page: q.page,
        per_page: None,
    };
    let db = ctx.db();
    let list = db.channels().deliveries(&f).await?;
    let channels = db.channels().list().await?;
    let pages = list.total.div_ceil(list.per_page.max(1)).max(1);
    let c = Chrome::for_ctx(&ctx, "channel.deliveries", "/channels");
    render(&DeliveriesPage {
        query: serde_urlencoded::to_string(&q).unwrap_or_default(),
        c,
        list,
        channels,
        q,
        pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shown_address_carries_no_token() {
        let cases = [
            (
                ChannelKind::Dingtalk,
                "https://oapi.dingtalk.com/robot/send?access_token=abc123",
                "https://oapi.dingtalk.com/robot/send?…",
            ),
            (
                ChannelKind::Wecom,
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1#x",
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…",
            ),
            (
                ChannelKind::Webhook,
                "http://user:pw@10.0.0.5:8080/hook/0123456789abcdef0123456789",
                "http://10.0.0.5:8080/hook/0123…",
            ),
            (
                ChannelKind::Webhook,
                "http://127.0.0.1:9/matrix",
                "http://127.0.0.1:9/matrix",
            ),
            (ChannelKind::Email, "anquan@jyj.gov.cn", "anquan@jyj.gov.cn"),
        ];
        for (kind, target, shown) in cases {
            assert_eq!(shown_target(kind, target), shown, "{target}");
        }
    }
}
