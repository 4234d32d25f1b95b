//! The one route table. Every route names the [`Action`] it performs; the gate, the storage
//! handle, the menus and the access-matrix test all work from that.
//!
//! **Invariant:** routes are added only through [`Table::add`], so none escapes the gate or the
//! registry that the access-matrix test enumerates.

mod files;
mod hazards;
mod inbox;
mod inspections;

use super::ctx::{RouteAction, gate};
use super::{AppState, api, assets, error, ops, pages, security};
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
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

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
}

struct Table {
    router: Router<AppState>,
    list: Vec<RouteInfo>,
    state: AppState,
    /// The OpenAPI document, gathered from the API routes as they are registered.
    doc: utoipa::openapi::OpenApi,
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
        (schemas, paths, mr): UtoipaMethodRouter<AppState>,
    ) {
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
        components.schemas.extend(schemas);
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
        let mr = mr
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
        });
    }
}

/// Builds the application router and the list of its routes.
pub fn build(state: AppState) -> (Router, Vec<RouteInfo>) {
    let mut t = Table {
        router: Router::new(),
        list: Vec::new(),
        state: state.clone(),
        doc: api::openapi::base(),
    };
    use Method as M;

    // Operations and public files.
    t.add(M::GET, "/healthz", Public, ops::healthz);
    t.add(M::GET, "/readyz", Public, ops::readyz);
    t.add(M::GET, "/metrics", Public, ops::metrics);
    t.add(M::GET, "/static/{hash}/{*file}", Public, assets::serve);

    // Sign-in and the user's own session.
    t.add(M::GET, "/login", Public, pages::auth::login_page);
    t.add(M::POST, "/login", Public, pages::auth::login_submit);
    t.add(M::GET, "/lang/{code}", Public, pages::auth::switch_lang);
    t.add(M::POST, "/logout", OwnSession, pages::auth::logout);
    t.add(M::GET, "/", OwnSession, pages::home::home);
    t.add(
        M::GET,
        "/account/password",
        OwnSession,
        pages::auth::password_page,
    );
    t.add(
        M::POST,
        "/account/password",
        OwnSession,
        pages::auth::password_submit,
    );
    t.api(Public, routes!(api::auth::login));
    t.api(OwnSession, routes!(api::auth::logout));
    t.api(OwnSession, routes!(api::auth::me));
    t.add(M::GET, "/docs/api", OwnSession, pages::api_docs::page);
    t.api(OwnSession, routes!(api::auth::password));

    // Org tree and schools.
    t.api(OrgView, routes!(api::orgs::list));
    t.api(OrgManage, routes!(api::orgs::create));
    t.api(OrgView, routes!(api::orgs::get));
    t.api(SchoolView, routes!(api::schools::list));
    t.api(SchoolCreate, routes!(api::schools::create));
    t.api(SchoolExport, routes!(api::transfer::export_schools));
    t.api_as(
        SchoolImport,
        &[],
        Some(UPLOAD_LIMIT),
        routes!(api::transfer::import_schools),
    );
    t.api(SchoolView, routes!(api::schools::get));
    t.api(SchoolUpdate, routes!(api::schools::update));
    t.api(PersonView, routes!(api::people::list));
    t.api(PersonWrite, routes!(api::people::create));
    t.api(PersonView, routes!(api::transfer::export_people));
    t.api_as(
        PersonWrite,
        &[],
        Some(UPLOAD_LIMIT),
        routes!(api::transfer::import_people),
    );
    t.api(PersonView, routes!(api::people::get));
    t.api(PersonWrite, routes!(api::people::update));
    t.api(PersonWrite, routes!(api::people::remove));
    t.api(ZoneView, routes!(api::zones::list));
    t.api(ZoneWrite, routes!(api::zones::create));
    t.api(ZoneView, routes!(api::transfer::export_zones));
    t.api_as(
        ZoneWrite,
        &[],
        Some(UPLOAD_LIMIT),
        routes!(api::transfer::import_zones),
    );
    t.api(ZoneView, routes!(api::zones::get));
    t.api(ZoneWrite, routes!(api::zones::update));

    // Risk grading and control (风险分级管控).
    t.api(RiskCatalogView, routes!(api::risk::catalog));
    t.api(RiskCatalogView, routes!(api::risk::export_catalog));
    t.api_as(
        RiskCatalogEdit,
        &[],
        Some(UPLOAD_LIMIT),
        routes!(api::risk::import_catalog),
    );
    t.api(RiskCatalogView, routes!(api::risk::catalog_item));
    t.api(RiskCatalogEdit, routes!(api::risk::update_catalog_item));
    t.api(RiskView, routes!(api::risk::evaluate_only));
    t.api(RiskView, routes!(api::risk::summary));
    t.api(RiskView, routes!(api::risk::export_summary));
    t.api(RiskView, routes!(api::risk::district_map));
    t.api(RiskView, routes!(api::risk::register));
    t.api(RiskWrite, routes!(api::risk::create_point));
    t.api(RiskWrite, routes!(api::risk::instantiate));
    t.api_as(
        RiskView,
        &[SchoolView],
        None,
        routes!(api::risk::export_register),
    );
    t.api(RiskView, routes!(api::risk::risk_map));
    t.api(RiskView, routes!(api::risk::point));
    t.api(RiskWrite, routes!(api::risk::update_point));
    t.api(RiskAssess, routes!(api::risk::assess));
    t.api(RiskView, routes!(api::risk::qr));

    // Hidden hazards (隐患排查治理): files, hazards, inspections, the inbox.
    files::register(&mut t);
    hazards::register(&mut t);
    inspections::register(&mut t);
    inbox::register(&mut t);

    // Administration (三员).
    t.api(UserView, routes!(api::users::list));
    t.api(UserManage, routes!(api::users::create));
    t.api(UserView, routes!(api::users::get));
    t.api(UserManage, routes!(api::users::account));
    t.api(UserGrant, routes!(api::users::grant));
    t.api(AuditView, routes!(api::audit::list));

    // Pages.
    t.add(M::GET, "/schools", SchoolView, pages::schools::list);
    t.add_as(
        M::GET,
        "/schools/new",
        SchoolCreate,
        &[SchoolView],
        pages::schools::new_form,
    );
    t.add_as(
        M::POST,
        "/schools/new",
        SchoolCreate,
        &[SchoolView],
        pages::schools::create,
    );
    t.add(
        M::GET,
        "/schools/import",
        SchoolImport,
        pages::transfer::import_form,
    );
    t.upload(
        M::POST,
        "/schools/import",
        SchoolImport,
        pages::transfer::import_submit,
    );
    t.add_as(
        M::GET,
        "/schools/{id}",
        SchoolView,
        &[ZoneView, PersonView],
        pages::schools::detail,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/edit",
        SchoolUpdate,
        &[SchoolView],
        pages::schools::edit_form,
    );
    t.add_as(
        M::POST,
        "/schools/{id}/edit",
        SchoolUpdate,
        &[SchoolView],
        pages::schools::update,
    );
    t.add(
        M::GET,
        "/schools/{id}/people/new",
        PersonWrite,
        pages::people::new_form,
    );
    t.add(
        M::POST,
        "/schools/{id}/people/new",
        PersonWrite,
        pages::people::create,
    );
    t.add(
        M::GET,
        "/schools/{id}/people/import",
        PersonWrite,
        pages::transfer::people_import_form,
    );
    t.upload(
        M::POST,
        "/schools/{id}/people/import",
        PersonWrite,
        pages::transfer::people_import_submit,
    );
    t.add(
        M::GET,
        "/people/{id}/edit",
        PersonWrite,
        pages::people::edit_form,
    );
    t.add(
        M::POST,
        "/people/{id}/edit",
        PersonWrite,
        pages::people::update,
    );
    t.add(
        M::POST,
        "/people/{id}/remove",
        PersonWrite,
        pages::people::remove,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/zones/new",
        ZoneWrite,
        &[ZoneView, PersonView],
        pages::zones::new_form,
    );
    t.add_as(
        M::POST,
        "/schools/{id}/zones/new",
        ZoneWrite,
        &[ZoneView, PersonView],
        pages::zones::create,
    );
    t.add_as(
        M::GET,
        "/zones/{id}/edit",
        ZoneWrite,
        &[ZoneView, PersonView],
        pages::zones::edit_form,
    );
    t.add_as(
        M::POST,
        "/zones/{id}/edit",
        ZoneWrite,
        &[ZoneView, PersonView],
        pages::zones::update,
    );
    t.add(
        M::GET,
        "/schools/{id}/zones/import",
        ZoneWrite,
        pages::transfer::zones_import_form,
    );
    t.upload(
        M::POST,
        "/schools/{id}/zones/import",
        ZoneWrite,
        pages::transfer::zones_import_submit,
    );
    t.add(M::GET, "/risk", RiskView, pages::risk::overview);
    t.add_as(
        M::GET,
        "/risk/catalog",
        RiskCatalogView,
        &[SchoolView],
        pages::catalog::list,
    );
    t.add(
        M::GET,
        "/risk/catalog/import",
        RiskCatalogEdit,
        pages::catalog::import_form,
    );
    t.upload(
        M::POST,
        "/risk/catalog/import",
        RiskCatalogEdit,
        pages::catalog::import_submit,
    );
    t.add_as(
        M::GET,
        "/risk/catalog/items/{id}",
        RiskCatalogView,
        &[RiskCatalogView],
        pages::catalog::item,
    );
    t.add_as(
        M::POST,
        "/risk/catalog/items/{id}",
        RiskCatalogEdit,
        &[RiskCatalogView],
        pages::catalog::update,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/risks",
        RiskView,
        &[SchoolView, ZoneView, PersonView],
        pages::risk::register,
    );
    t.add(
        M::POST,
        "/schools/{id}/risks/instantiate",
        RiskWrite,
        pages::risk::instantiate,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/risks/new",
        RiskWrite,
        &[SchoolView],
        pages::risk::new_form,
    );
    t.add_as(
        M::POST,
        "/schools/{id}/risks/new",
        RiskWrite,
        &[SchoolView],
        pages::risk::create,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/risk-map",
        RiskView,
        &[SchoolView],
        pages::risk::campus_map,
    );
    t.add_as(
        M::GET,
        "/risk-points/{id}",
        RiskView,
        &[ZoneView, PersonView],
        pages::risk::point,
    );
    t.add_as(
        M::POST,
        "/risk-points/{id}/assess",
        RiskAssess,
        &[RiskView, ZoneView, PersonView],
        pages::risk::assess,
    );
    t.add_as(
        M::POST,
        "/risk-points/{id}/edit",
        RiskWrite,
        &[RiskView, ZoneView, PersonView],
        pages::risk::edit,
    );
    t.add(
        M::GET,
        "/risk-points/{id}/card",
        RiskView,
        pages::risk::card,
    );
    t.add_as(
        M::GET,
        "/admin/users",
        UserView,
        &[UserGrant],
        pages::admin::users,
    );
    t.add_as(
        M::POST,
        "/admin/users",
        UserManage,
        &[UserView, UserGrant],
        pages::admin::create_user,
    );
    t.add_as(
        M::POST,
        "/admin/users/{id}/account",
        UserManage,
        &[UserView, UserGrant],
        pages::admin::account,
    );
    t.add_as(
        M::POST,
        "/admin/users/{id}/grant",
        UserGrant,
        &[UserView, UserGrant],
        pages::admin::grant,
    );
    t.add(M::GET, "/audit", AuditView, pages::admin::audit);

    // The OpenAPI document of every API route registered above, serialised once.
    let doc = api::openapi::document(std::mem::replace(&mut t.doc, api::openapi::base()));
    let json = axum::body::Bytes::from(serde_json::to_vec(&doc).expect("the document serialises"));
    t.add(M::GET, "/api/v1/openapi.json", Public, move || {
        let json = json.clone();
        async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                json,
            )
        }
    });

    let Table { router, list, .. } = t;
    ops::install_metrics();
    let router = router.with_state(state).layer(
        ServiceBuilder::new()
            .layer(SetSensitiveHeadersLayer::new([
                axum::http::header::AUTHORIZATION,
                axum::http::header::COOKIE,
                axum::http::header::SET_COOKIE,
            ]))
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
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
