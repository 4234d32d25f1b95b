//! The OpenAPI document, derived from the handlers' annotations.

use super::*;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // A device's own credential, read only by `POST /api/v1/ingest` (`Device <token>`).
        c.add_security_scheme(
            "device_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Device <token>`: the token issued to the device when it was registered",
            ))),
        );
    }
}

/// The document's frame (title, description, bearer security) before the routes add their
/// operations.
pub fn base() -> utoipa::openapi::OpenApi {
    #[derive(OpenApi)]
    #[openapi(
        info(title = "SafeCampus API", description = "平安校园安全管理平台 JSON API. Sign in with POST /api/v1/auth/login and send the token as `Authorization: Bearer …`. Errors use `{\"error\": {\"code\", \"message\"}}`. Objects outside your scope answer 404. A write (POST, PUT, PATCH, DELETE) may carry `Idempotency-Key: <1–255 visible ASCII characters>`: sent again with the same key by the same user, it is not done twice — the answer is the first one (with `Idempotent-Replayed: true`), or 409 `already_applied` naming the object when that answer was not kept; the key on another request is 422. Keys are kept a day."),
        modifiers(&Bearer),
        security(("bearer" = [])),
    )]
    struct Base;
    Base::openapi()
}

/// The whole document: the frame, every API route's operation (gathered by the route table
/// from the handlers' annotations, so a route and its documentation cannot drift apart), and
/// the schemas no annotation reaches by itself.
pub fn document(mut paths_and_schemas: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    paths_and_schemas.merge(files::Doc::openapi());
    paths_and_schemas
}

/// Completes one operation with what every API route shares by construction, so the document
/// names every answer a client can get (Schemathesis checks each status, content type and body
/// against it, T-IN-1):
/// - a public route (`Action::Public`) needs no token: its security is empty;
/// - the gate answers 401 to a caller without a live session (or with its second factor
///   due), and 403 to a role the policy table refuses or a password that must be changed;
/// - an id in the path, the query or the body names an object that may be out of scope
///   (404), and a value that does not parse or validate is 422 with field messages;
/// - a body over the route's limit is 413;
/// - a database that says "not now" is 503 with `Retry-After` (`Error::Unavailable`).
///
/// A status the annotation documents itself is left as it is.
pub fn complete(op: &mut utoipa::openapi::path::Operation, action: crate::policy::Action) {
    use crate::policy::Action;
    use utoipa::openapi::security::SecurityRequirement;
    if action == Action::Public {
        op.security
            .get_or_insert_with(|| vec![SecurityRequirement::default()]);
    }
    let gated = !matches!(action, Action::Public | Action::DeviceIngest);
    let policed = gated && !matches!(action, Action::OwnSession | Action::MfaSignIn);
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let has_body = op.request_body.is_some();
    let statuses: [(&str, bool, &str); 6] = [
        (
            "401",
            gated,
            "Not signed in, the session ended, or the second factor is due (`mfa_required`, `mfa_enrolment_required`)",
        ),
        (
            "403",
            policed,
            "The caller's role may not do this, or the password must be changed first",
        ),
        (
            "404",
            has_params || has_body,
            "No such object in the caller's scope",
        ),
        ("413", has_body, "The body is over the route's limit"),
        (
            "422",
            has_params || has_body,
            "A parameter or the body does not parse or is not valid (`fields` names each)",
        ),
        (
            "503",
            true,
            "The database is unavailable for now; nothing was written",
        ),
    ];
    for (code, applies, description) in statuses {
        if !applies || op.responses.responses.contains_key(code) {
            continue;
        }
        op.responses
            .responses
            .insert(code.to_string(), error_response(code, description).into());
    }
}

/// An error answer: the JSON envelope, and `Retry-After` on a 503.
fn error_response(code: &str, description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, ResponseBuilder, schema};
    let mut r = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Envelope")))
            .build(),
    );
    if code == "503" {
        r = r.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(schema::Object::with_type(schema::Type::Integer)))
                .description(Some("Seconds to wait before trying again"))
                .build(),
        );
    }
    r.build()
}

/// A blank query value (`?date=`, as an HTML form sends an untouched field, or only spaces) is
/// the same as leaving the parameter out, on every API route: the handlers see only the
/// parameters given a value, so an optional one is absent and a required one is missing (422).
pub async fn drop_empty_query(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let given = |kv: &&str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(kv)
            .map(|pairs| pairs.iter().any(|(_, v)| !v.trim().is_empty()))
            // What does not decode is left for the handler to refuse.
            .unwrap_or(true)
    };
    if let Some(q) = req.uri().query()
        && !q.split('&').all(|kv| given(&kv))
    {
        let kept: Vec<&str> = q.split('&').filter(given).collect();
        let pq = if kept.is_empty() {
            req.uri().path().to_string()
        } else {
            format!("{}?{}", req.uri().path(), kept.join("&"))
        };
        let mut parts = req.uri().clone().into_parts();
        if let Ok(pq) = pq.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = axum::http::Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
    }
    next.run(req).await
}

/// The document's side of [`drop_empty_query`]: an optional query parameter also takes a
/// blank value.
pub fn empty_means_absent(param: &mut utoipa::openapi::path::Parameter) {
    use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, Type};
    use utoipa::openapi::{Required, path::ParameterIn};
    if param.parameter_in != ParameterIn::Query || param.required == Required::True {
        return;
    }
    let Some(schema) = param.schema.take() else {
        return;
    };
    let empty = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^\s*$"));
    param.schema = Some(Schema::AnyOf(AnyOfBuilder::new().item(schema).item(empty).build()).into());
}
