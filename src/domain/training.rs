//! Yearly training of staff by group (F-EDU-1, items 1 and 9 of the work plan): which posts
//! of the people register each training group binds, so "every guard trained this year" is
//! a question about named people. Pure.

use crate::domain::person::Post;
use crate::domain::work_plan::TrainingGroup;

/// The posts a training group is for (the people who must have it every year).
pub fn group_posts(g: TrainingGroup) -> &'static [Post] {
    use Post::*;
    match g {
        TrainingGroup::Cadres => &[Principal, VicePrincipal, SafetyDirector],
        TrainingGroup::Teachers | TrainingGroup::TeachersPupils => {
            &[Teacher, ClassTeacher, PeTeacher]
        }
        TrainingGroup::Guards => &[Guard],
        TrainingGroup::BusDrivers => &[BusDriver],
        TrainingGroup::Attendants => &[BusAttendant],
        TrainingGroup::Cooks => &[Cook, CanteenManager],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;

    #[test]
    fn every_group_binds_some_posts_and_guards_bind_guards_only() {
        for g in TrainingGroup::ALL {
            assert!(!group_posts(*g).is_empty(), "{g:?}");
        }
        assert_eq!(group_posts(TrainingGroup::Guards), [Post::Guard]);
        assert!(!group_posts(TrainingGroup::Teachers).contains(&Post::Guard));
    }
}
