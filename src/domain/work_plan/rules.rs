//! Which orgs an obligation binds, and where it stands for one org and period.

use super::{Evidence, Status, Who};
use crate::domain::calendar::DateRange;
use crate::domain::ids::OrgId;
use crate::domain::org::SchoolKind;
use chrono::NaiveDate;

/// What targeting needs to know of an org node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgFacts {
    pub id: OrgId,
    /// A school (else the district itself).
    pub school: bool,
    pub kind: Option<SchoolKind>,
    pub has_bus: bool,
    pub students: i32,
}

/// Who an obligation binds: the [`Who`], with its number of pupils or its list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    pub who: Option<Who>,
    /// `large_schools`: schools with at least this many pupils.
    pub min_students: Option<i32>,
    /// `named`: these schools.
    pub org_ids: Vec<OrgId>,
}

impl Target {
    /// Whether the obligation is `org`'s (the plan's district node, or a school under it).
    pub fn applies(&self, org: &OrgFacts) -> bool {
        let Some(who) = self.who else { return false };
        if who == Who::District {
            return !org.school;
        }
        if !org.school {
            return false;
        }
        match who {
            Who::District => false,
            Who::Schools => true,
            Who::Kindergartens => org.kind == Some(SchoolKind::Kindergarten),
            Who::BusSchools => org.has_bus,
            Who::LargeSchools => self.min_students.is_some_and(|n| org.students >= n),
            Who::Named => self.org_ids.contains(&org.id),
        }
    }
}

/// One piece of evidence: when it happened and when the platform recorded it (China dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Proof {
    pub happened_on: NaiveDate,
    pub recorded_on: NaiveDate,
}

/// Whether `p` was recorded in time for a period ending `last`: by the period's last day, or
/// — a zero report — by its own day.
pub fn on_time(evidence: Evidence, p: &Proof, last: NaiveDate) -> bool {
    let by = if evidence == Evidence::ZeroReport {
        p.happened_on.min(last)
    } else {
        last
    };
    p.recorded_on <= by
}

/// Where an obligation of `required` pieces of `evidence` stands for a period of `days`, from
/// the proofs recorded for it (only those that happened within the period count):
/// done when `required` of them were recorded in time, late when enough were recorded but not
/// all in time, missed once the period is over without enough, due while it runs.
pub fn status(
    evidence: Evidence,
    required: u32,
    proofs: &[Proof],
    days: DateRange,
    today: NaiveDate,
) -> Status {
    let within: Vec<&Proof> = proofs
        .iter()
        .filter(|p| days.contains(p.happened_on))
        .collect();
    let timely = within
        .iter()
        .filter(|p| on_time(evidence, p, days.last))
        .count();
    let required = required as usize;
    if timely >= required {
        Status::Done
    } else if within.len() >= required {
        Status::Late
    } else if days.last < today {
        Status::Missed
    } else {
        Status::Due
    }
}

/// How many pieces a period asks for: `count`, or `count` a day for a duty period.
pub fn required(count: u32, duty: bool, days: DateRange) -> u32 {
    if duty {
        count.saturating_mul(days.len())
    } else {
        count
    }
}
