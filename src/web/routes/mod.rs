//! The one route table and the feature registry. Every route names the [`Action`] it
//! performs; the gate, the storage handle, the menus and the access-matrix test all work from
//! that. Every module of the product is one [`Feature`] in [`FEATURES`]: its routes, menu
//! entries, audit codes, notification kinds and tables, declared in its own file here.
//!
//! **Invariant:** routes are added only through [`Table`]'s methods, called from a feature's
//! registration, so none escapes the gate or the registry that the access-matrix test
//! enumerates.

mod admin;
mod buses;
mod drills;
mod duty;
mod emergency_plans;
mod files;
mod governance;
mod hazards;
mod home;
mod inbox;
mod incidents;
mod inspections;
mod ops_auth;
mod orgs;
mod privacy;
mod responsibility;
mod risk;
mod screen;
mod security_register;
mod warnings;
mod work_plan;

use super::ctx::{RouteAction, gate};
use super::{AppState, api, cache, error, ops, pages, security};
use crate::policy::Action::{self, *};
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use axum::{Extension, Router, extract::DefaultBodyLimit, middleware};
use std::convert::Infallible;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::UtoipaMethodRouter;

/// One registered route.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub action: Action,
    /// Further actions the handler acts under (declared with [`Table::add_as`]).
    pub also: &'static [Action],
    /// Extra body allowance for uploads (bytes), when raised above the default.
    pub upload: bool,
    /// The code of the [`Feature`] that registered it.
    pub feature: &'static str,
    /// Its answers are kept by the response cache ([`cache::ROUTES`]).
    pub cached: bool,
}

/// The route table a feature registers into (see [`Feature`]).
pub struct Table {
    router: Router<AppState>,
    list: Vec<RouteInfo>,
    state: AppState,
    /// The OpenAPI document, gathered from the API routes as they are registered.
    doc: utoipa::openapi::OpenApi,
    /// The feature registering now.
    feature: &'static str,
    /// The operation ids given so far (unique in the document, as OpenAPI requires).
    operation_ids: std::collections::HashSet<String>,
}

/// Largest accepted upload (an .xlsx import).
pub const UPLOAD_LIMIT: usize = 10 * 1024 * 1024;

/// Largest accepted request carrying photos (several phone photos with a form); each file is
/// further limited by the `[files]` configuration.
pub const MEDIA_LIMIT: usize = 64 * 1024 * 1024;

impl Table {
    fn add<H, T>(&mut self, method: Method, path: &'static str, action: Action, h: H)
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add_inner(method, path, action, &[], h, None)
    }

    /// A route whose handler also acts under further actions (a page that shows a school's
    /// zones and people); only these can be asked of [`super::ctx::Ctx::db_as`].
    fn add_as<H, T>(
        &mut self,
        method: Method,
        path: &'static str,
        action: Action,
        also: &'static [Action],
        h: H,
    ) where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add_inner(method, path, action, also, h, None)
    }

    fn upload<H, T>(&mut self, method: Method, path: &'static str, action: Action, h: H)
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add_inner(method, path, action, &[], h, Some(UPLOAD_LIMIT))
    }

    /// A route whose body carries photos (multipart), up to [`MEDIA_LIMIT`].
    fn media<H, T>(&mut self, method: Method, path: &'static str, action: Action, h: H)
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add_inner(method, path, action, &[FileUpload], h, Some(MEDIA_LIMIT))
    }

    fn add_inner<H, T>(
        &mut self,
        method: Method,
        path: &'static str,
        action: Action,
        also: &'static [Action],
        h: H,
        limit: Option<usize>,
    ) where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
        self.mount(method, path, action, also, on(filter, h), limit);
    }

    /// An API route described by its handler's `#[utoipa::path]` annotation
    /// (`utoipa_axum::routes!(handler)`): the method and path are taken from the annotation,
    /// so a path is written once, and the operation and its schemas join the OpenAPI document.
    fn api(&mut self, action: Action, route: UtoipaMethodRouter<AppState>) {
        self.api_as(action, &[], None, route)
    }

    /// [`Table::api`] with further actions and a raised body limit (uploads).
    fn api_as(
        &mut self,
        action: Action,
        also: &'static [Action],
        limit: Option<usize>,
        (schemas, mut paths, mr): UtoipaMethodRouter<AppState>,
    ) {
        // Operation ids from the method and the path (`get_schools_id_hazards`): unique in
        // the document by construction, as OpenAPI requires and Swagger UI relies on (handler
        // names repeat: every module has its `list`).
        for (path, item) in paths.paths.iter_mut() {
            let slug = path
                .trim_start_matches("/api/v1/")
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join("_");
            for (method, op) in [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("patch", &mut item.patch),
                ("delete", &mut item.delete),
            ] {
                let Some(op) = op else { continue };
                // A response needs a description (OpenAPI); `(status = 204)` gives none.
                for (code, r) in op.responses.responses.iter_mut() {
                    if let utoipa::openapi::RefOr::T(r) = r
                        && r.description.is_empty()
                    {
                        r.description = code
                            .parse::<u16>()
                            .ok()
                            .and_then(|c| axum::http::StatusCode::from_u16(c).ok())
                            .and_then(|c| c.canonical_reason())
                            .unwrap_or("Response")
                            .to_string();
                    }
                }
                for param in op.parameters.iter_mut().flatten() {
                    if let utoipa::openapi::RefOr::T(param) = param {
                        query_unless_in(param, path);
                        api::openapi::empty_means_absent(param);
                    }
                }
                // The answers the gate and the error policy give on every route.
                api::openapi::complete(op, action);
                let id = format!("{method}_{slug}");
                assert!(
                    self.operation_ids.insert(id.clone()),
                    "operation id {id} is given twice"
                );
                op.operation_id = Some(id);
            }
        }
        let mut found = paths.paths.iter();
        let (path, item) = found.next().expect("routes! names one handler");
        assert!(found.next().is_none(), "one handler per api route");
        let methods = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ];
        let mut methods = methods.into_iter().filter(|(_, on)| *on).map(|(m, _)| m);
        let method = methods.next().expect("the annotation names a method");
        assert!(methods.next().is_none(), "one method per api route: {path}");
        // Route patterns live as long as the router; there is one per registered route.
        let path: &'static str = Box::leak(path.clone().into_boxed_str());
        self.doc.paths.merge(paths);
        let components = self.doc.components.get_or_insert_with(Default::default);
        for (name, schema) in schemas {
            // Schemas are named by their type's name: two types of one name would leave one
            // schema under it, and the other's answers would not match the document.
            if let Some(seen) = components.schemas.get(&name) {
                assert!(
                    *seen == schema,
                    "two schemas named {name} in the API document (`#[schema(as = …)]`)"
                );
            }
            components.schemas.insert(name, schema);
        }
        let mr = mr.layer::<_, Infallible>(middleware::from_fn(api::openapi::drop_empty_query));
        self.mount(method, path, action, also, mr, limit);
    }

    fn mount(
        &mut self,
        method: Method,
        path: &'static str,
        action: Action,
        also: &'static [Action],
        mut mr: MethodRouter<AppState>,
        limit: Option<usize>,
    ) {
        if let Some(limit) = limit {
            mr = mr.layer::<_, Infallible>(DefaultBodyLimit::max(limit));
        }
        // Inside the gate: the caller is resolved and allowed before an answer is looked up.
        let cached = cache::cached(&method, path);
        if cached {
            mr = mr.layer::<_, Infallible>(middleware::from_fn_with_state(
                self.state.clone(),
                cache::layer,
            ));
        }
        let mr = mr
            .layer::<_, Infallible>(middleware::from_fn(error::keep_caller))
            .layer::<_, Infallible>(middleware::from_fn_with_state(self.state.clone(), gate))
            .layer::<_, Infallible>(middleware::from_fn_with_state(path, ops::track))
            .layer::<_, Infallible>(Extension(RouteAction(action, path, also)));
        let router = std::mem::take(&mut self.router);
        self.router = router.route(path, mr);
        self.list.push(RouteInfo {
            method,
            path,
            action,
            also,
            upload: limit.is_some(),
            feature: self.feature,
            cached,
        });
    }
}

/// A parameter a handler's `Query` struct declares (`IntoParams` describes its fields as path
/// parameters unless told otherwise) is a query parameter when the path has no such segment;
/// an optional one (its schema admits null) is not required.
fn query_unless_in(param: &mut utoipa::openapi::path::Parameter, path: &str) {
    use utoipa::openapi::{Required, path::ParameterIn};
    if param.parameter_in != ParameterIn::Path || path.contains(&format!("{{{}}}", param.name)) {
        return;
    }
    param.parameter_in = ParameterIn::Query;
    let nullable = serde_json::to_value(&param.schema).is_ok_and(|s| {
        s["type"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t == "null"))
            || s["oneOf"]
                .as_array()
                .is_some_and(|o| o.iter().any(|v| v["type"] == "null"))
    });
    if nullable {
        param.required = Required::False;
    }
}

/// A menu entry of a feature: (link, label key, action); shown to the roles the policy table
/// allows the action.
pub type MenuEntry = (&'static str, &'static str, Action);

/// One module of the product, declared in one place: adding a module is its files plus one
/// line in [`FEATURES`]. Tests enumerate the registry: every table of the database belongs to
/// exactly one feature, every audit code and notification kind has its label, every menu
/// entry leads to a registered page whose action it shows under.
pub struct Feature {
    /// A stable code (`hazards`).
    pub code: &'static str,
    /// Registers the feature's API routes (JSON under `/api/v1`).
    pub api: fn(&mut Table),
    /// Registers its pages; every feature's pages come after every API route.
    pub pages: fn(&mut Table),
    /// Its menu entries, in menu order.
    pub menu: &'static [MenuEntry],
    /// The audit action codes it writes (`storage::audit::AuditCode` sets).
    pub audit: fn() -> Vec<&'static str>,
    /// The notification kinds it sends (`storage::inbox::NoticeKind` sets).
    pub notices: fn() -> Vec<&'static str>,
    /// The database tables it owns.
    pub tables: &'static [&'static str],
}

/// The stored codes of a closed set of audit codes.
pub fn audit_codes<A: crate::storage::AuditCode>() -> Vec<&'static str> {
    A::ALL.iter().map(|a| a.code()).collect()
}

/// The stored codes of a closed set of notification kinds.
pub fn notice_codes<K: crate::storage::NoticeKind>() -> Vec<&'static str> {
    K::ALL.iter().map(|k| k.code()).collect()
}

/// For a feature that has no pages, audit codes or notifications of its own.
fn nothing<T>() -> Vec<T> {
    Vec::new()
}

fn no_pages(_: &mut Table) {}

/// The product's modules, in menu order. **Adding a module: one line here.**
pub const FEATURES: &[&Feature] = &[
    &orgs::FEATURE,
    &risk::FEATURE,
    &inspections::FEATURE,
    &hazards::FEATURE,
    &warnings::FEATURE,
    &drills::FEATURE,
    &buses::FEATURE,
    &privacy::FEATURE,
    &emergency_plans::FEATURE,
    &duty::FEATURE,
    &incidents::FEATURE,
    &work_plan::FEATURE,
    &responsibility::FEATURE,
    &governance::FEATURE,
    &security_register::FEATURE,
    &screen::FEATURE,
    &home::FEATURE,
    &files::FEATURE,
    &inbox::FEATURE,
    &admin::FEATURE,
    &ops_auth::FEATURE,
];

/// Every menu entry of every feature, in menu order.
pub fn menu() -> impl Iterator<Item = &'static MenuEntry> {
    FEATURES.iter().flat_map(|f| f.menu.iter())
}

/// Every audit code of every feature.
pub fn all_audit_codes() -> Vec<&'static str> {
    FEATURES.iter().flat_map(|f| (f.audit)()).collect()
}

/// Every notification kind of every feature.
pub fn all_notice_kinds() -> Vec<&'static str> {
    FEATURES.iter().flat_map(|f| (f.notices)()).collect()
}

/// Builds the application router and the list of its routes.
pub fn build(state: AppState) -> (Router, Vec<RouteInfo>) {
    let mut t = Table {
        router: Router::new(),
        list: Vec::new(),
        state: state.clone(),
        doc: api::openapi::base(),
        feature: "",
        operation_ids: Default::default(),
    };

    for f in FEATURES {
        t.feature = f.code;
        (f.api)(&mut t);
    }
    // Pages, after every API route.
    for f in FEATURES {
        t.feature = f.code;
        (f.pages)(&mut t);
    }
    t.feature = ops_auth::FEATURE.code;

    // The OpenAPI document of every API route registered above, serialised once.
    let doc = api::openapi::document(std::mem::replace(&mut t.doc, api::openapi::base()));
    let json = axum::body::Bytes::from(serde_json::to_vec(&doc).expect("the document serialises"));
    t.add(Method::GET, "/api/v1/openapi.json", Public, move || {
        let json = json.clone();
        async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                json,
            )
        }
    });

    let Table { router, list, .. } = t;
    // A path no route serves: 404, with the menu when the caller is signed in.
    let router = router.fallback(
        axum::routing::any(error::not_found)
            .layer::<_, Infallible>(middleware::from_fn(error::keep_caller))
            .layer::<_, Infallible>(middleware::from_fn_with_state(state.clone(), gate))
            .layer::<_, Infallible>(Extension(RouteAction(OwnSession, "", &[])))
            .layer::<_, Infallible>(middleware::from_fn(error::signed_in_only)),
    );
    ops::install_metrics();
    let router = router.with_state(state).layer(
        ServiceBuilder::new()
            .layer(SetSensitiveHeadersLayer::new([
                axum::http::header::AUTHORIZATION,
                axum::http::header::COOKIE,
                axum::http::header::SET_COOKIE,
            ]))
            .layer(SetRequestIdLayer::x_request_id(ops::MakeRequestId))
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(TraceLayer::new_for_http().make_span_with(ops::span))
            .layer(CatchPanicLayer::new())
            .layer(TimeoutLayer::with_status_code(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs(60),
            ))
            .layer(CompressionLayer::new())
            .layer(middleware::from_fn(security::headers))
            .layer(middleware::from_fn_with_state(
                pages::error_page as error::ErrorPage,
                error::render,
            ))
            .layer(tower_http::csrf::CsrfLayer::new()),
    );
    (router, list)
}
