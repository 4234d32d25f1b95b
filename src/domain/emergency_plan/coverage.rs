//! Plan coverage of a school's high risks: every red or orange risk point needs a topic plan or
//! an on-site procedure in force of a type that matches one of its possible accidents (domain
//! brief §8: "one red risk ⇒ at least one 专项 plan or 现场处置方案").

use super::{PlanForm, PlanType};
use crate::domain::catalog::split_items;
use crate::domain::ids::RiskPointId;
use crate::domain::risk::Color;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The plan types that cover each accident code a risk point may carry (its `accident_types`:
/// GB 6441 classes `GB1`…`GB20` and the school incident codes of the risk catalogue). A point
/// is covered by a plan of **any** of the types listed for **any** of its codes.
///
/// | accident code | plan types |
/// |---|---|
/// | `fire`, `GB8` 火灾 | fire |
/// | `GB7` 灼烫 | fire, other |
/// | `GB16` 锅炉爆炸, `GB17` 容器爆炸, `GB18` 其他爆炸 | fire, gas, other |
/// | `GB15` 瓦斯爆炸 | gas |
/// | `GB19` 中毒和窒息 | food_poisoning, gas, other |
/// | `electric_shock`, `GB5` 触电 | electrical |
/// | `drowning`, `GB6` 淹溺 | drowning |
/// | `traffic`, `GB2` 车辆伤害 | bus_accident |
/// | `stampede` | stampede |
/// | `collapse`, `GB10` 坍塌 | earthquake, other |
/// | `natural_disaster` | earthquake, extreme_weather |
/// | `food_poisoning` | food_poisoning |
/// | `epidemic` | public_health |
/// | `lab_accident` | fire, gas, other |
/// | `bullying`, `violence`, `intrusion`, `sexual_assault` | violence |
/// | `mass_incident` | violence, other |
/// | everything else (`GB1`, `GB3`, `GB4`, `GB9`, `GB11`–`GB14`, `GB20`, `fall`, `sports_injury`, `self_harm`, `missing`, `cyber`, `exam_safety`) | other |
pub const ACCIDENT_PLAN_TYPES: &[(&str, &[PlanType])] = {
    use PlanType as P;
    &[
        ("fire", &[P::Fire]),
        ("GB8", &[P::Fire]),
        ("GB7", &[P::Fire, P::Other]),
        ("GB16", &[P::Fire, P::Gas, P::Other]),
        ("GB17", &[P::Fire, P::Gas, P::Other]),
        ("GB18", &[P::Fire, P::Gas, P::Other]),
        ("GB15", &[P::Gas]),
        ("GB19", &[P::FoodPoisoning, P::Gas, P::Other]),
        ("electric_shock", &[P::Electrical]),
        ("GB5", &[P::Electrical]),
        ("drowning", &[P::Drowning]),
        ("GB6", &[P::Drowning]),
        ("traffic", &[P::BusAccident]),
        ("GB2", &[P::BusAccident]),
        ("stampede", &[P::Stampede]),
        ("collapse", &[P::Earthquake, P::Other]),
        ("GB10", &[P::Earthquake, P::Other]),
        ("natural_disaster", &[P::Earthquake, P::ExtremeWeather]),
        ("food_poisoning", &[P::FoodPoisoning]),
        ("epidemic", &[P::PublicHealth]),
        ("lab_accident", &[P::Fire, P::Gas, P::Other]),
        ("bullying", &[P::Violence]),
        ("violence", &[P::Violence]),
        ("intrusion", &[P::Violence]),
        ("sexual_assault", &[P::Violence]),
        ("mass_incident", &[P::Violence, P::Other]),
        ("GB1", &[P::Other]),
        ("GB3", &[P::Other]),
        ("GB4", &[P::Other]),
        ("GB9", &[P::Other]),
        ("GB11", &[P::Other]),
        ("GB12", &[P::Other]),
        ("GB13", &[P::Other]),
        ("GB14", &[P::Other]),
        ("GB20", &[P::Other]),
        ("fall", &[P::Other]),
        ("sports_injury", &[P::Other]),
        ("self_harm", &[P::Other]),
        ("missing", &[P::Other]),
        ("cyber", &[P::Other]),
        ("exam_safety", &[P::Other]),
    ]
};

/// Which points need a plan and which plans cover them (configuration). Defaults: red and
/// orange points; topic plans and on-site procedures (not the comprehensive plan, not pocket
/// cards); the [`ACCIDENT_PLAN_TYPES`] table, each code of `accident_plan_types` replacing the
/// table's row for that code (or adding one); codes in neither, and points without any code,
/// need a plan of a `fallback` type (`other`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoverageConfig {
    pub colors: Vec<Color>,
    pub forms: Vec<PlanForm>,
    pub accident_plan_types: BTreeMap<String, Vec<PlanType>>,
    pub fallback: Vec<PlanType>,
}

impl Default for CoverageConfig {
    fn default() -> Self {
        CoverageConfig {
            colors: vec![Color::Red, Color::Orange],
            forms: vec![PlanForm::Topic, PlanForm::OnSite],
            accident_plan_types: BTreeMap::new(),
            fallback: vec![PlanType::Other],
        }
    }
}

impl CoverageConfig {
    /// The plan types that cover one accident code (trimmed; `gb8` matches `GB8`).
    pub fn plan_types_for(&self, code: &str) -> Vec<PlanType> {
        let code = code.trim();
        if let Some((_, v)) = self
            .accident_plan_types
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(code))
        {
            return v.clone();
        }
        ACCIDENT_PLAN_TYPES
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(code))
            .map_or_else(|| self.fallback.clone(), |(_, v)| v.to_vec())
    }

    /// The plan types any of which covers a point with these accident codes (the point's
    /// `accident_types` field, `;`-separated), sorted; the fallback when it has none.
    pub fn needed(&self, accident_types: &str) -> Vec<PlanType> {
        let codes = split_items(accident_types);
        let mut out = BTreeSet::new();
        if codes.is_empty() {
            out.extend(self.fallback.iter().copied());
        }
        for c in codes {
            out.extend(self.plan_types_for(c));
        }
        out.into_iter().collect()
    }
}

/// A school's risk point, as far as coverage needs it: its colour (`None` before any
/// assessment) and its possible accidents (`;`-separated codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PointRef<'a> {
    pub id: RiskPointId,
    pub color: Option<Color>,
    pub accident_types: &'a str,
}

/// A plan of the school in force: its type and form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanRef {
    pub plan_type: PlanType,
    pub form: PlanForm,
}

/// A point no plan covers, and the plan types any of which would.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Uncovered {
    #[schema(value_type = i64)]
    pub id: RiskPointId,
    pub color: Color,
    pub needs: Vec<PlanType>,
}

/// The points of the configured colours (red and orange) that no plan of `in_force` (the
/// caller passes the plans in force, see [`PlanStatus::is_in_force`](super::PlanStatus)) of a
/// covering form and a matching type covers, in the order given.
pub fn uncovered(
    points: &[PointRef],
    in_force: &[PlanRef],
    cfg: &CoverageConfig,
) -> Vec<Uncovered> {
    let have: BTreeSet<PlanType> = in_force
        .iter()
        .filter(|p| cfg.forms.contains(&p.form))
        .map(|p| p.plan_type)
        .collect();
    points
        .iter()
        .filter_map(|p| {
            let color = p.color.filter(|c| cfg.colors.contains(c))?;
            let needs = cfg.needed(p.accident_types);
            let covered = needs.iter().any(|t| have.contains(t));
            (!covered).then_some(Uncovered {
                id: p.id,
                color,
                needs,
            })
        })
        .collect()
}
