//! An expert's written conclusion on a plan under review.

use crate::code_enum;

code_enum!(
    /// An expert's conclusion (评审结论): agree (同意), agree once the changes asked for are
    /// made (修改后同意), disagree (不同意). Recorded with the opinion; the bureau decides
    /// (approve or ask for a revision) on the round's opinions and the minutes.
    ReviewConclusion, "plan_conclusion", {
        Agree = "agree",
        AgreeWithChanges = "agree_with_changes",
        Disagree = "disagree",
    }
);
