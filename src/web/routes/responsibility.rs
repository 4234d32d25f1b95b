//! Routes: responsibility and organisation — responsibility letters (责任书) and the leading
//! groups (安全工作领导小组).

use super::Table;
use super::{Feature, audit_codes, nothing};
use crate::policy::Action::*;
use crate::storage::leading_groups::GroupAudit;
use crate::storage::letters::LetterAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "responsibility",
    api: register,
    pages: register_pages,
    menu: &[
        ("/responsibility-letters", "nav.letters", LetterView),
        ("/leading-groups", "nav.leading_groups", LeadingGroupView),
    ],
    audit: audits,
    notices: nothing,
    tables: &[
        "responsibility_letters",
        "responsibility_signatures",
        "leading_groups",
    ],
};

fn audits() -> Vec<&'static str> {
    let mut v = audit_codes::<LetterAudit>();
    v.extend(audit_codes::<GroupAudit>());
    v
}

fn register(t: &mut Table) {
    use api::responsibility as a;
    t.api(LetterView, routes!(a::list));
    t.api(LetterIssue, routes!(a::create));
    t.api(LetterSign, routes!(a::sign));
    t.api(LetterView, routes!(a::export_letters));
    t.api(LeadingGroupView, routes!(a::group));
    t.api(LeadingGroupEdit, routes!(a::save_group));
    t.api(LeadingGroupView, routes!(a::groups));
    t.api(LeadingGroupView, routes!(a::export_groups));
}

fn register_pages(t: &mut Table) {
    use pages::responsibility as p;
    t.add_as(
        M::GET,
        "/responsibility-letters",
        LetterView,
        &[PersonView],
        p::letters,
    );
    t.add_as(
        M::POST,
        "/responsibility-letters",
        LetterIssue,
        &[LetterView, PersonView],
        p::issue,
    );
    t.add(
        M::POST,
        "/responsibility-letters/{id}/sign",
        LetterSign,
        p::sign,
    );
    t.add_as(
        M::GET,
        "/leading-groups",
        LeadingGroupView,
        &[PersonView],
        p::groups,
    );
    // The caller's own group (a district's by its officers, a school's by its managers).
    t.add_as(
        M::POST,
        "/leading-groups",
        LeadingGroupEdit,
        &[LeadingGroupView, PersonView],
        p::save_group,
    );
}
