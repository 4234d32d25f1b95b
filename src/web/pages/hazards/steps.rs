//! The step forms of a hazard's page: turning a form (plain or multipart with photos) into the
//! rules' action, and taking the step.

use super::*;

/// Turns a step form into the API's action body: the fields of the chosen action only, blank
/// optional fields left out, so that the rules (not the parser) judge what is missing.
pub fn action_from_form(pairs: &[(String, String)], photo_ids: &[i64]) -> Result<Action, Error> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let kind = get("action");
    let kind =
        ActionKind::parse(&kind).ok_or_else(|| Error::field("action", "err.invalid_input"))?;
    let mut m = Map::new();
    m.insert("action".into(), Value::String(kind.as_str().into()));
    let text = |m: &mut Map<String, Value>, k: &str| {
        m.insert(k.into(), Value::String(get(k)));
    };
    let date = |m: &mut Map<String, Value>, k: &str| -> Result<(), Error> {
        let v = get(k);
        let d = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
            Error::field(
                k,
                if v.is_empty() {
                    "err.required"
                } else {
                    "err.hazard.date_format"
                },
            )
        })?;
        m.insert(k.into(), Value::String(d.to_string()));
        Ok(())
    };
    let photos = Value::Array(photo_ids.iter().map(|i| Value::from(*i)).collect());
    match kind {
        ActionKind::Assess => {
            text(&mut m, "level");
            text(&mut m, "treatment");
        }
        ActionKind::FixOnSpot | ActionKind::Submit => {
            text(&mut m, "note");
            m.insert("photo_ids".into(), photos);
        }
        ActionKind::IssueNotice => {
            let uid: i64 = get("responsible_user_id").parse().unwrap_or(0);
            m.insert("responsible_user_id".into(), Value::from(uid));
            text(&mut m, "measures");
            let amount = get("funds_amount");
            let amount = if amount.is_empty() {
                "0".into()
            } else {
                amount
            };
            m.insert(
                "funds".into(),
                serde_json::json!({"amount": amount, "source": get("funds_source")}),
            );
            date(&mut m, "deadline")?;
            text(&mut m, "interim_plan");
        }
        ActionKind::Accept => {
            let n = get("note");
            if !n.is_empty() {
                m.insert("note".into(), Value::String(n));
            }
        }
        ActionKind::Reject | ActionKind::Cancel | ActionKind::RefuseExtension => {
            text(&mut m, "reason")
        }
        ActionKind::RequestExtension => {
            date(&mut m, "new_deadline")?;
            text(&mut m, "reason");
            text(&mut m, "interim_plan");
        }
        ActionKind::Reopen => {
            text(&mut m, "reason");
            if !get("new_deadline").is_empty() {
                date(&mut m, "new_deadline")?;
            }
        }
        ActionKind::Start | ActionKind::Close | ActionKind::ApproveExtension => {}
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| {
        let msg = e.to_string();
        if msg.contains("funds") || msg.contains("amount") {
            Error::field("funds.amount", "err.hazard.funds_format")
        } else {
            Error::validation(msg)
        }
    })
}

/// A page form's fields and photos: a multipart form (with photos taken or chosen on the
/// phone, stored for `school` by [`crate::web::upload::read_form`], which checks scope and role
/// first) or a plain form. Photos come from the `photos` file input; ids of files uploaded
/// before may also be given in `photo_ids`.
pub(super) async fn read_page_form(
    ctx: &Ctx,
    school: OrgId,
    req: Request,
) -> Result<(Vec<(String, String)>, Vec<i64>), Error> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let mp = Multipart::from_request(req, &())
            .await
            .map_err(|_| Error::validation("err.file.bad_form"))?;
        let form = crate::web::upload::read_form(ctx, school, mp).await?;
        let mut photos = form_photo_ids(&form.fields);
        photos.extend(form.photos("photos"));
        Ok((form.fields, photos))
    } else {
        let FormPairs(p) = FormPairs::from_request(req, &()).await?;
        let photos = form_photo_ids(&p);
        Ok((p, photos))
    }
}

/// Photo ids typed into a step form (`photo_ids`, comma separated), until photos are uploaded
/// with the form itself.
pub(super) fn form_photo_ids(pairs: &[(String, String)]) -> Vec<i64> {
    pairs
        .iter()
        .filter(|(k, _)| k == "photo_ids")
        .flat_map(|(_, v)| {
            v.split([',', ' ', '，'])
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// What a refused step form shows on the page: field messages (422), the form's message (an
/// impossible step, 409); with htmx also a person the rules refuse (403 with its reason), which
/// the whole page leaves to the error page.
fn shown(e: &Error, lang: crate::i18n::Lang, fragment: bool) -> Option<FormErrors> {
    let general = |m: &str| FormErrors {
        general: crate::web::error::message(lang, m),
        fields: Vec::new(),
    };
    match e {
        Error::Validation { .. } => FormErrors::from_error(e, lang),
        Error::Conflict(m) => Some(general(m)),
        Error::ForbiddenBecause(m) if fragment => Some(general(m)),
        Error::Forbidden if fragment => Some(general("err.forbidden")),
        _ => None,
    }
}

/// After a step form: without htmx the page again (303 to its history); with htmx
/// (`HX-Request`) the swapped region of the page, the address unchanged. A refusal comes back
/// on the form with what was entered, with its status.
async fn answer(
    ctx: &Ctx,
    id: HazardId,
    fragment: bool,
    form: &str,
    posted: Vec<(String, String)>,
    res: Result<(), Error>,
) -> Result<Response, Error> {
    let e = match res {
        Ok(()) if fragment => {
            return detail_page(ctx, id, FormErrors::default(), "", Vec::new(), true).await;
        }
        Ok(()) => return Ok(see_other(&format!("/hazards/{id}#history"))),
        Err(e) => e,
    };
    let Some(fe) = shown(&e, ctx.lang, fragment) else {
        return Err(e);
    };
    let posted = posted.into_iter().filter(|(k, _)| k != "_csrf").collect();
    let mut r = detail_page(ctx, id, fe, form, posted, fragment).await?;
    *r.status_mut() = crate::web::error::status(&e);
    Ok(r)
}

/// A step from the detail page's forms. Refusals come back on the page: a missing or wrong
/// field (422) as field messages, an impossible step (409) or a person the rules refuse (403
/// with its reason) as the form's message.
pub async fn act(ctx: Ctx, Path(id): Path<i64>, req: Request) -> Result<Response, Error> {
    let fragment = crate::web::htmx::wants_fragment(req.headers());
    let id = HazardId(id);
    // The hazard in scope (404) and the role (403) before anything is read or stored.
    let school = ctx.db().hazards().get(id).await?.summary.school_id;
    let (p, photos) = read_page_form(&ctx, school, req).await?;
    let kind = p
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let res = match action_from_form(&p, &photos) {
        Ok(a) => ctx.db().hazards().step(id, &a).await.map(|_| ()),
        Err(e) => Err(e),
    };
    answer(&ctx, id, fragment, &kind, p, res).await
}

/// The bureau's urge (督办) from the hazard page: `message`. A missing or too long message
/// (422) or a closed hazard (409) comes back on the page; a school's role is 403.
pub async fn urge(
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    FormPairs(p): FormPairs,
) -> Result<Response, Error> {
    let fragment = crate::web::htmx::wants_fragment(&headers);
    let id = HazardId(id);
    let message = p
        .iter()
        .find(|(k, _)| k == "message")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let res = ctx.db().hazards().urge(id, &message).await.map(|_| ());
    answer(&ctx, id, fragment, "urge", p, res).await
}
