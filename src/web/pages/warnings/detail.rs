//! One warning: its facts, its history as a timeline, and the forms of the steps the reader
//! may take now; the form's post, answered by the page again when refused.

use super::*;
use crate::domain::ids::UserId;
use crate::storage::hazards::SchoolUser;
use crate::storage::warnings::{HistoryEntry, WarningAction, WarningDetail};
use crate::web::ctx::Form;
use axum::extract::Path;
use axum::http::StatusCode;

/// A step form as the detail page sends it; every field is text, so that the lifecycle's rules
/// (not the parser) judge what is missing.
#[derive(Deserialize, Default)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    reason: String,
}

impl ActForm {
    fn to_action(&self) -> Result<WarningAction, Error> {
        let action = StepKind::parse(self.action.trim())
            .ok_or_else(|| Error::field("action", "err.invalid_input"))?;
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let user_id = match self.user_id.trim() {
            "" => None,
            s => Some(
                s.parse::<i64>()
                    .map_err(|_| Error::field("user_id", "err.invalid_input"))?,
            ),
        };
        Ok(WarningAction {
            action,
            note: text(&self.note),
            user_id,
            reason: text(&self.reason),
        })
    }
}

#[derive(Template)]
#[template(path = "warnings/detail.html")]
struct DetailPage {
    c: Chrome,
    d: WarningDetail,
    /// The steps this reader may take now.
    steps: Vec<StepKind>,
    users: Vec<SchoolUser>,
    /// The device's code and name, the zone's name.
    device: Option<String>,
    zone: Option<String>,
    errors: FormErrors,
    /// The refused form's values, to fill it again.
    v: ActForm,
}

impl DetailPage {
    fn css(&self) -> String {
        css()
    }
    fn js(&self) -> String {
        js()
    }
    fn what(&self) -> String {
        what(self.c.lang, &self.d.warning)
    }
    fn colour(&self) -> String {
        colour(self.c.lang, self.d.warning.level)
    }
    /// 红色（Ⅰ级 特别严重）
    fn level_full(&self) -> String {
        let l = self.d.warning.level.as_str();
        tr(self.c.lang, &format!("warning_level_full.{l}"))
    }
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        china_time(t)
    }
    fn can(&self, kind: &str) -> bool {
        self.steps.iter().any(|s| s.as_str() == kind)
    }
    /// The refused form's value of `field`, when `kind` was the refused form.
    fn val(&self, kind: &str, field: &str) -> String {
        if self.v.action != kind {
            return String::new();
        }
        match field {
            "note" => self.v.note.clone(),
            "reason" => self.v.reason.clone(),
            "user_id" => self.v.user_id.clone(),
            _ => String::new(),
        }
    }
    /// A field's message, under the refused form only.
    fn err(&self, kind: &str, field: &str) -> String {
        if self.v.action == kind {
            self.errors.get(field)
        } else {
            String::new()
        }
    }
    fn user_name(&self, id: &UserId) -> String {
        self.users
            .iter()
            .find(|u| u.id == *id)
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| format!("#{id}"))
    }
    fn value(&self) -> String {
        let w = &self.d.warning;
        let unit = w
            .rule
            .split('.')
            .nth(1)
            .and_then(Metric::parse)
            .map(Metric::unit)
            .unwrap_or("");
        w.value.map(|v| format!("{v} {unit}")).unwrap_or_default()
    }
    fn reach(&self) -> String {
        let w = &self.d.warning;
        if w.escalated_to.is_empty() {
            return tr(self.c.lang, "warning.reach.school");
        }
        w.escalated_to
            .iter()
            .map(|r| tr(self.c.lang, &format!("warning.reach.{r}")))
            .collect::<Vec<_>>()
            .join(match self.c.lang {
                Lang::Zh => "、",
                Lang::En => ", ",
            })
    }
    fn step_label(&self, e: &HistoryEntry) -> String {
        tr(self.c.lang, &format!("warning.step.{}", e.step))
    }
    fn who(&self, e: &HistoryEntry) -> String {
        e.user_name
            .clone()
            .unwrap_or_else(|| tr(self.c.lang, "warning.system"))
    }
    /// What a step carried beyond its note: the person sent, the reading, an automatic close.
    fn step_detail(&self, e: &HistoryEntry) -> String {
        if let Some(u) = e.detail.strip_prefix("user=") {
            let name = u
                .parse::<i64>()
                .map(|id| self.user_name(&UserId(id)))
                .unwrap_or_default();
            return format!("{} {name}", tr(self.c.lang, "warning.sent_to"));
        }
        if e.step == "resolve" && e.detail == "cleared" {
            return tr(self.c.lang, "warning.auto_resolved");
        }
        e.detail.clone()
    }
}

async fn detail_page(
    ctx: &Ctx,
    id: WarningId,
    errors: FormErrors,
    v: ActForm,
) -> Result<Response, Error> {
    let d = ctx.db_as(Action::WarningView)?.warnings().get(id).await?;
    let w = &d.warning;
    let steps = if crate::policy::allows(ctx.actor.role(), Action::WarningAct) {
        warning::next_steps(w.status)
    } else {
        Vec::new()
    };
    let users = if steps.contains(&StepKind::Dispatch) || w.assignee_id.is_some() {
        ctx.db_as(Action::HazardView)?
            .hazards()
            .school_users(w.school_id)
            .await?
    } else {
        Vec::new()
    };
    let device = match w.device_id {
        Some(dev) => {
            let offline = ctx.config().devices.offline_minutes;
            let d = ctx
                .db_as(Action::DeviceView)?
                .devices()
                .get(dev, offline)
                .await?;
            Some(format!("{} {}", d.code, d.name))
        }
        None => None,
    };
    let zone = match w.zone_id {
        Some(z) => Some(ctx.db_as(Action::ZoneView)?.zones().get(z).await?.name),
        None => None,
    };
    let mut c = Chrome::for_ctx(ctx, "warning.title", "/warnings");
    c.title = format!("{} · {}", tr(c.lang, "warning.title"), what(c.lang, w));
    render(&DetailPage {
        c,
        d,
        steps,
        users,
        device,
        zone,
        errors,
        v,
    })
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    detail_page(
        &ctx,
        WarningId(id),
        FormErrors::default(),
        ActForm::default(),
    )
    .await
}

/// A step from the detail page. Success goes back to the page (303); a missing or wrong field
/// comes back on the page with its message (422), a step the warning's status no longer allows
/// with a clear message (409).
pub async fn act(ctx: Ctx, Path(id): Path<i64>, Form(v): Form<ActForm>) -> Result<Response, Error> {
    let id = WarningId(id);
    let res = match v.to_action() {
        Ok(a) => ctx.db().warnings().act(id, a).await.map(|_| ()),
        Err(e) => Err(e),
    };
    let e = match res {
        Ok(()) => return Ok(see_other(&format!("/warnings/{id}"))),
        Err(e) => e,
    };
    let shown = match &e {
        Error::Validation { .. } => FormErrors::from_error(&e, ctx.lang),
        Error::Conflict(m) => Some(FormErrors {
            general: format!(
                "{} {}",
                crate::web::error::message(ctx.lang, m),
                tr(ctx.lang, "warning.conflict_hint")
            ),
            fields: Vec::new(),
        }),
        _ => None,
    };
    match shown {
        Some(fe) => {
            let status: StatusCode = crate::web::error::status(&e);
            let mut r = detail_page(&ctx, id, fe, v).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        None => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{LANGS, has};

    /// The pages' own labels exist in both languages (their keys are built, so the catalogue
    /// test's scan of literal keys does not see them).
    #[test]
    fn built_keys_are_translated() {
        let mut keys: Vec<String> = Metric::ALL
            .iter()
            .map(|m| format!("warning.metric.{}", m.as_str()))
            .collect();
        for s in [
            "raise",
            "repeat",
            "clear",
            "acknowledge",
            "dispatch",
            "resolve",
            "false_alarm",
        ] {
            keys.push(format!("warning.step.{s}"));
        }
        for r in ["school", "district", "city"] {
            keys.push(format!("warning.reach.{r}"));
        }
        for l in Level::ALL {
            keys.push(format!("warning.colour.{}", l.as_str()));
            keys.push(format!("warning_level_full.{}", l.as_str()));
        }
        // The literal keys of the templates and this file.
        for text in [
            include_str!("../../../../templates/warnings/list.html"),
            include_str!("../../../../templates/warnings/detail.html"),
            include_str!("../warnings.rs"),
            include_str!("detail.rs"),
        ] {
            for piece in text.split('"').skip(1).step_by(2) {
                let key = piece.starts_with("warning.")
                    && !piece.ends_with('.')
                    && !piece.ends_with(".css")
                    && !piece.ends_with(".js")
                    && piece
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._".contains(c));
                if key {
                    keys.push(piece.to_string());
                }
            }
        }
        for k in &keys {
            for l in LANGS {
                assert!(has(*l, k), "{k} missing in {}", l.code());
            }
        }
    }
}
