//! Governance (item 15 of the work plan, F-EDU-3): the bureau's concentrated governance
//! actions (集中整治 / 专项行动) and the yearly "no disorder" star rating (“无乱象”星级校) of
//! schools. Pure rules; storage keeps the rows and gathers the facts.
//!
//! The rating is computed, never typed: each [`Criterion`] is met or not from what the
//! platform holds for the school and year, and [`stars`] turns the unmet ones into stars
//! (five when every criterion is met, one fewer for each unmet, none when a serious incident
//! vetoes the year — 一票否决).

use crate::code_enum;
use chrono::NaiveDate;

code_enum!(
    /// What kind of action the bureau launched.
    ActionKind, "governance_kind", {
        // 集中整治 / 集中治理行动 (the seed's "at least two a year").
        Concentrated = "concentrated",
        // 专项行动 (one topic: traffic, food, the surroundings of the school …).
        Special = "special",
    }
);

code_enum!(
    /// One criterion of the star rating, each read from the platform's records of the year.
    Criterion, "star_criterion", {
        // No obligation of the work plan missed (the compliance calendar: self-inspections,
        // drills, meetings, trainings, activities, daily reports).
        Obligations = "obligations",
        // No hazard past its deadline and no major hazard (重大隐患) still open.
        Hazards = "hazards",
        // No emergency plan overdue for filing.
        Plans = "plans",
        // A result reported for every governance action that targeted the school and ended.
        Governance = "governance",
        // No shortfall in the security register (guards and technical protection).
        Security = "security",
        // No incident report sent late (迟报).
        Incidents = "incidents",
    }
);

/// The most stars a school can hold.
pub const MAX_STARS: u8 = 5;

/// One criterion's outcome with what it counted (the reasons shown beside the stars).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Outcome {
    pub criterion: Criterion,
    pub met: bool,
    /// What failed it (or 0): missed obligations, hazards overdue or major, plans overdue,
    /// actions without a result, shortfalls, late reports.
    pub count: i64,
}

/// Stars from the criteria: five when all are met, one fewer per unmet criterion (never
/// below none); a vetoing incident (a 较大 or worse incident in the year) gives none.
pub fn stars(outcomes: &[Outcome], veto: bool) -> u8 {
    if veto {
        return 0;
    }
    let unmet = outcomes.iter().filter(|o| !o.met).count();
    MAX_STARS.saturating_sub(u8::try_from(unmet).unwrap_or(u8::MAX))
}

/// Why an action's dates or checklist are refused (field, catalogue key).
pub fn check_action(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    checklist: &[String],
) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if ends_on < starts_on {
        out.push(("ends_on", "err.governance.ends_before"));
    } else if (ends_on - starts_on).num_days() > 366 {
        out.push(("ends_on", "err.governance.too_long"));
    }
    if checklist.is_empty() || checklist.len() > 50 {
        out.push(("checklist", "err.governance.checklist"));
    } else if checklist
        .iter()
        .any(|c| c.trim().is_empty() || c.chars().count() > 200)
    {
        out.push(("checklist", "err.governance.checklist_item"));
    }
    out
}

/// Every translation key of the module's closed sets (for the catalogue test).
pub fn catalogue_keys() -> Vec<String> {
    use crate::domain::Code;
    let mut v: Vec<String> = ActionKind::ALL.iter().map(|k| k.label_key()).collect();
    v.extend(Criterion::ALL.iter().map(|k| k.label_key()));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;

    fn all(met: bool) -> Vec<Outcome> {
        Criterion::ALL
            .iter()
            .map(|&criterion| Outcome {
                criterion,
                met,
                count: i64::from(!met),
            })
            .collect()
    }

    #[test]
    fn five_stars_when_every_criterion_is_met_one_fewer_for_each_unmet() {
        assert_eq!(stars(&all(true), false), 5);
        let mut o = all(true);
        o[0].met = false;
        assert_eq!(stars(&o, false), 4);
        o[3].met = false;
        assert_eq!(stars(&o, false), 3);
        assert_eq!(stars(&all(false), false), 0, "six unmet: none, not below");
    }

    #[test]
    fn a_serious_incident_vetoes_the_year() {
        assert_eq!(stars(&all(true), true), 0);
    }

    #[test]
    fn an_action_ends_after_it_starts_and_has_a_checklist() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let ok = vec!["门卫查验".to_string()];
        assert!(check_action(d("2026-03-01"), d("2026-03-01"), &ok).is_empty());
        assert_eq!(
            check_action(d("2026-03-02"), d("2026-03-01"), &ok),
            vec![("ends_on", "err.governance.ends_before")]
        );
        assert_eq!(
            check_action(d("2026-03-01"), d("2027-03-03"), &ok),
            vec![("ends_on", "err.governance.too_long")]
        );
        assert_eq!(
            check_action(d("2026-03-01"), d("2026-03-31"), &[]),
            vec![("checklist", "err.governance.checklist")]
        );
        assert_eq!(
            check_action(d("2026-03-01"), d("2026-03-31"), &[" ".into()]),
            vec![("checklist", "err.governance.checklist_item")]
        );
    }
}
