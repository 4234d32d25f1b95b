//! A plan as a bureau writes it (the data file's format, the body of `POST` and `PATCH
//! /api/v1/work-plans`), and its checks.

use super::{ActivityKind, Evidence, Frequency, MeetingKind, TrainingGroup, Who};
use crate::domain::Code;
use crate::domain::drill::DrillKind;
use crate::domain::ids::{ObligationId, OrgId, PlanItemId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub(super) const ERROR_KEYS: &[&str] = &[
    REQUIRED,
    TOO_LONG,
    YEAR,
    NUMBER,
    DUPLICATE,
    COUNT,
    KIND,
    FREQUENCY,
    MIN_STUDENTS,
    ORG_IDS,
    TOO_MANY,
    super::period::PERIOD_ERROR,
];
const REQUIRED: &str = "err.required";
const TOO_LONG: &str = "err.work_plan.too_long";
const YEAR: &str = "err.work_plan.year";
const NUMBER: &str = "err.work_plan.number";
const DUPLICATE: &str = "err.work_plan.duplicate_number";
const COUNT: &str = "err.work_plan.count";
const KIND: &str = "err.work_plan.kind";
const FREQUENCY: &str = "err.work_plan.frequency";
const MIN_STUDENTS: &str = "err.work_plan.min_students";
const ORG_IDS: &str = "err.work_plan.org_ids";
const TOO_MANY: &str = "err.work_plan.too_many";

/// Longest title; longest text.
pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 4000;
/// Most items of a plan, obligations of an item.
pub const MAX_ITEMS: usize = 60;
pub const MAX_OBLIGATIONS: usize = 30;

/// An obligation as written: who, what evidence (of which kind), how often, how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObligationInput {
    /// The obligation's id when editing an existing one (kept, so its calendar stays); left
    /// out for a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ObligationId>,
    pub who: Who,
    /// `large_schools`: from this many pupils.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_students: Option<i32>,
    /// `named`: the schools.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub org_ids: Vec<OrgId>,
    pub evidence: Evidence,
    /// The kind of evidence that counts: a drill type, a training group, a meeting kind or
    /// an activity kind (any when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub every: Frequency,
    /// How many per period (per day for a duty period).
    pub count: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// An item as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    /// The item's id when editing an existing one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<PlanItemId>,
    /// Its number in the plan (1, 2, …), unique within the plan.
    pub number: u32,
    /// The heading it stands under (一、聚焦责任落实…).
    #[serde(default)]
    pub group: String,
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// The lead department (牵头部门 / 责任部门).
    #[serde(default)]
    pub lead: String,
    /// Co-operating departments (配合部门).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cooperating: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<ObligationInput>,
}

/// The contents of a plan: its title and items (the data file holds this plus the year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WorkPlanContent)]
pub struct PlanContent {
    pub title: String,
    pub items: Vec<ItemInput>,
}

/// A plan data file (`assets/work_plans/*.json`): the year and the contents.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub year: i32,
    pub title: String,
    pub items: Vec<ItemInput>,
}

/// Whether `kind` is a code of the set `evidence` narrows by.
pub fn kind_fits(evidence: Evidence, kind: &str) -> bool {
    match evidence {
        Evidence::Meeting => MeetingKind::parse(kind).is_some(),
        Evidence::Drill => DrillKind::parse(kind).is_some(),
        Evidence::Training => TrainingGroup::parse(kind).is_some(),
        Evidence::Activity => ActivityKind::parse(kind).is_some(),
        _ => false,
    }
}

/// Checks a plan year (2000–2999).
pub fn check_year(year: i32) -> Result<(), (String, &'static str)> {
    if (2000..=2999).contains(&year) {
        Ok(())
    } else {
        Err(("year".into(), YEAR))
    }
}

fn long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

/// Every problem of a plan's contents, as (field, catalogue key): `items[3].obligations[0].kind`.
pub fn check_content(c: &PlanContent) -> Vec<(String, &'static str)> {
    let mut errs = Vec::new();
    if c.title.trim().is_empty() {
        errs.push(("title".into(), REQUIRED));
    } else if long(&c.title, MAX_TITLE) {
        errs.push(("title".into(), TOO_LONG));
    }
    if c.items.len() > MAX_ITEMS {
        errs.push(("items".into(), TOO_MANY));
    }
    let mut numbers = Vec::new();
    for (i, it) in c.items.iter().enumerate() {
        let f = |n: &str| format!("items[{i}].{n}");
        if it.number == 0 || it.number > 999 {
            errs.push((f("number"), NUMBER));
        } else if numbers.contains(&it.number) {
            errs.push((f("number"), DUPLICATE));
        }
        numbers.push(it.number);
        if it.title.trim().is_empty() {
            errs.push((f("title"), REQUIRED));
        }
        for (name, v, max) in [
            ("title", &it.title, MAX_TITLE),
            ("group", &it.group, MAX_TITLE),
            ("lead", &it.lead, MAX_TITLE),
            ("text", &it.text, MAX_TEXT),
        ] {
            if long(v, max) {
                errs.push((f(name), TOO_LONG));
            }
        }
        if it.cooperating.len() > 20 || it.cooperating.iter().any(|d| long(d, MAX_TITLE)) {
            errs.push((f("cooperating"), TOO_LONG));
        }
        if it.obligations.len() > MAX_OBLIGATIONS {
            errs.push((f("obligations"), TOO_MANY));
        }
        for (j, o) in it.obligations.iter().enumerate() {
            let g = |n: &str| format!("items[{i}].obligations[{j}].{n}");
            errs.extend(check_obligation(o).into_iter().map(|(n, k)| (g(n), k)));
        }
    }
    errs
}

/// The problems of one obligation, as (its field, key).
fn check_obligation(o: &ObligationInput) -> Vec<(&'static str, &'static str)> {
    let mut errs = Vec::new();
    if o.count == 0 || o.count > 1000 {
        errs.push(("count", COUNT));
    }
    if let Some(k) = &o.kind
        && !kind_fits(o.evidence, k)
    {
        errs.push(("kind", KIND));
    }
    // A zero report is a duty period's (or a day's); a duty period asks for zero reports.
    let duty = o.every == Frequency::DutyPeriod;
    let zero = o.evidence == Evidence::ZeroReport;
    if (zero && !(duty || o.every == Frequency::Day)) || (duty && !zero) {
        errs.push(("every", FREQUENCY));
    }
    if duty && o.who == Who::District {
        errs.push(("who", FREQUENCY));
    }
    match o.who {
        Who::LargeSchools if o.min_students.is_none_or(|n| n <= 0) => {
            errs.push(("min_students", MIN_STUDENTS))
        }
        Who::Named if o.org_ids.is_empty() || o.org_ids.len() > 500 => {
            errs.push(("org_ids", ORG_IDS))
        }
        _ => {}
    }
    if long(&o.note, MAX_TITLE) {
        errs.push(("note", TOO_LONG));
    }
    errs
}
