//! Routes: governance — the concentrated governance actions (集中整治 / 专项行动) with the
//! schools' results, and the schools' yearly star ratings.

use super::Table;
use super::{Feature, audit_codes, nothing};
use crate::policy::Action::*;
use crate::storage::governance::GovernanceAudit;
use crate::storage::star_ratings::StarAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "governance",
    api: register,
    pages: register_pages,
    menu: &[
        ("/governance-actions", "nav.governance", GovernanceView),
        ("/star-ratings", "nav.star_ratings", StarRatingView),
    ],
    audit: audits,
    notices: nothing,
    tables: &[
        "governance_actions",
        "governance_schools",
        "governance_results",
        "star_ratings",
    ],
};

fn audits() -> Vec<&'static str> {
    let mut v = audit_codes::<GovernanceAudit>();
    v.extend(audit_codes::<StarAudit>());
    v
}

fn register(t: &mut Table) {
    use api::governance as a;
    t.api(GovernanceView, routes!(a::list));
    t.api(GovernanceLaunch, routes!(a::launch));
    t.api(GovernanceView, routes!(a::get));
    t.api(GovernanceReport, routes!(a::report));
    t.api(StarRatingView, routes!(a::ratings));
    t.api(StarRatingView, routes!(a::rating));
    t.api(StarRatingAward, routes!(a::award));
}

/// The pages: the actions (the bureau's launch form), one action with its results (a
/// school's result form), the ratings of the caller's schools, one school's rating (the
/// bureau's award form).
fn register_pages(t: &mut Table) {
    use pages::governance as p;
    t.add(M::GET, "/governance-actions", GovernanceView, p::actions);
    t.add_as(
        M::POST,
        "/governance-actions",
        GovernanceLaunch,
        &[GovernanceView],
        p::launch,
    );
    t.add(
        M::GET,
        "/governance-actions/{id}",
        GovernanceView,
        p::action,
    );
    t.add_as(
        M::POST,
        "/governance-actions/{id}/results",
        GovernanceReport,
        &[GovernanceView],
        p::report,
    );
    t.add(M::GET, "/star-ratings", StarRatingView, p::ratings);
    t.add(
        M::GET,
        "/schools/{id}/star-rating",
        StarRatingView,
        p::rating,
    );
    t.add_as(
        M::POST,
        "/schools/{id}/star-rating",
        StarRatingAward,
        &[StarRatingView],
        p::award,
    );
}
