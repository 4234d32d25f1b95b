//! Which of a school's plans a drill exercises: a drill that showed a defect of the plan ("plan
//! needs revision", domain brief §8) makes those plans due for evaluation at once.

use super::{PlanForm, PlanType};
use crate::domain::drill::DrillKind;

/// The plan types a drill of this kind practises: fire drills and fire-safety trainings the
/// fire plans, earthquake drills the earthquake plans, crush prevention the stampede plans, a
/// school-bus evacuation the bus-accident plans, violence and intrusion the violence plans.
/// General evacuations and combined scenarios practise no one type (their plan is the
/// comprehensive one): an empty list.
pub fn drill_plan_types(kind: DrillKind) -> &'static [PlanType] {
    match kind {
        DrillKind::Fire | DrillKind::FireTraining => &[PlanType::Fire],
        DrillKind::Earthquake => &[PlanType::Earthquake],
        DrillKind::Stampede => &[PlanType::Stampede],
        DrillKind::BusEvacuation => &[PlanType::BusAccident],
        DrillKind::Violence => &[PlanType::Violence],
        DrillKind::Evacuation | DrillKind::Combined => &[],
    }
}

/// A plan in force of the school, as far as the drill link needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExercisedPlan<T> {
    pub id: T,
    pub plan_type: PlanType,
    pub form: PlanForm,
}

/// The plans (of those given: the school's plans in force) that a drill of `kind` exercised:
/// every plan of one of its types ([`drill_plan_types`]), whatever its form; when there is
/// none — a general evacuation, or a school without a plan of the type — the comprehensive
/// plans.
pub fn exercised_plans<T: Copy>(kind: DrillKind, plans: &[ExercisedPlan<T>]) -> Vec<T> {
    plans_of_types(drill_plan_types(kind), plans)
}

/// The plans (of those given) of one of `types`, whatever their form; when there is none,
/// the comprehensive plans. An incident's defect flags the plans of the types that cover its
/// accident ([`super::CoverageConfig::plan_types_for`] of its type), a drill's those of its
/// kind.
pub fn plans_of_types<T: Copy>(types: &[PlanType], plans: &[ExercisedPlan<T>]) -> Vec<T> {
    let typed: Vec<T> = plans
        .iter()
        .filter(|p| types.contains(&p.plan_type))
        .map(|p| p.id)
        .collect();
    if !typed.is_empty() {
        return typed;
    }
    plans
        .iter()
        .filter(|p| p.form == PlanForm::Comprehensive)
        .map(|p| p.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;

    fn p(id: i64, plan_type: PlanType, form: PlanForm) -> ExercisedPlan<i64> {
        ExercisedPlan {
            id,
            plan_type,
            form,
        }
    }

    #[test]
    fn a_drill_exercises_the_plans_of_its_type_or_else_the_comprehensive_plan() {
        let plans = [
            p(1, PlanType::Other, PlanForm::Comprehensive),
            p(2, PlanType::Fire, PlanForm::Topic),
            p(3, PlanType::Fire, PlanForm::OnSite),
            p(4, PlanType::Earthquake, PlanForm::Topic),
        ];
        assert_eq!(exercised_plans(DrillKind::Fire, &plans), vec![2, 3]);
        assert_eq!(exercised_plans(DrillKind::FireTraining, &plans), vec![2, 3]);
        assert_eq!(exercised_plans(DrillKind::Earthquake, &plans), vec![4]);
        // No stampede plan: the comprehensive one.
        assert_eq!(exercised_plans(DrillKind::Stampede, &plans), vec![1]);
        assert_eq!(exercised_plans(DrillKind::Evacuation, &plans), vec![1]);
        assert_eq!(exercised_plans(DrillKind::Combined, &plans), vec![1]);
        assert!(exercised_plans::<i64>(DrillKind::Violence, &[]).is_empty());
        // An incident of a type: the plans of the types covering that accident.
        let cfg = super::super::CoverageConfig::default();
        assert_eq!(
            plans_of_types(&cfg.plan_types_for("fire"), &plans),
            vec![2, 3]
        );
        assert_eq!(
            plans_of_types(&cfg.plan_types_for("drowning"), &plans),
            vec![1]
        );
    }

    #[test]
    fn every_drill_kind_is_mapped() {
        for k in DrillKind::ALL {
            let types = drill_plan_types(*k);
            let general = matches!(k, DrillKind::Evacuation | DrillKind::Combined);
            assert_eq!(types.is_empty(), general, "{k}");
        }
    }
}
