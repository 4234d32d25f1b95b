//! Responsibility and organisation (items 1 and 2 of the work plan, F-ORG-4): responsibility
//! letters (责任书) and who signs them, and the leading group (安全工作领导小组) with its gaps.
//! Pure rules; storage keeps the rows.

use crate::code_enum;
use crate::domain::role::Role;

code_enum!(
    /// Who a letter is issued to: a bureau's letter to its schools (the principal signs for
    /// the school), a school's letter to named staff posts (一岗双责: each person signs).
    LetterLevel, "letter_level", {
        School = "school",
        Post = "post",
    }
);

code_enum!(
    /// How a letter was signed.
    SignMethod, "sign_method", {
        // An in-app acknowledgement (who and when are recorded).
        Ack = "ack",
        // A signed paper, scanned and uploaded through the files pipeline.
        Scan = "scan",
    }
);

code_enum!(
    /// A member's place in a leading group.
    GroupRole, "group_role", {
        Leader = "leader",
        Deputy = "deputy",
        Member = "member",
    }
);

code_enum!(
    /// What a leading group lacks (listed for the bureau).
    GroupGap, "group_gap", {
        NoGroup = "no_group",
        NoLeader = "no_leader",
        NoSafetyDirector = "no_safety_director",
        NoLegalVicePrincipal = "no_legal_vice_principal",
    }
);

/// Why a signature is refused (a catalogue key, 403 with the reason).
pub const NOT_PRINCIPAL: &str = "err.letter.principal_signs";
pub const NOT_SIGNATORY: &str = "err.letter.not_signatory";
pub const SCAN_BY_MANAGER: &str = "err.letter.scan_by_manager";

/// Who may sign: a school's letter from the bureau is acknowledged by the school's principal,
/// its scan attached by the principal or the safety director; a post letter is acknowledged
/// by the named person themselves (`is_named`), its scan attached by the school's managers.
pub fn may_sign(
    level: LetterLevel,
    method: SignMethod,
    role: Role,
    is_named: bool,
) -> Result<(), &'static str> {
    let manager = matches!(role, Role::Principal | Role::SafetyDirector);
    match (level, method) {
        (LetterLevel::School, SignMethod::Ack) if role == Role::Principal => Ok(()),
        (LetterLevel::School, SignMethod::Ack) => Err(NOT_PRINCIPAL),
        (LetterLevel::Post, SignMethod::Ack) if is_named => Ok(()),
        (LetterLevel::Post, SignMethod::Ack) => Err(NOT_SIGNATORY),
        (_, SignMethod::Scan) if manager => Ok(()),
        (_, SignMethod::Scan) => Err(SCAN_BY_MANAGER),
    }
}

/// The facts of an org's leading group that its gaps are read from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupFacts {
    pub exists: bool,
    pub has_leader: bool,
    pub has_safety_director: bool,
    pub has_legal_vice_principal: bool,
    /// A school (the legal vice-principal is a school's).
    pub school: bool,
}

/// The gaps of a group: no group at all hides the rest; a school needs its legal
/// vice-principal, a bureau does not.
pub fn gaps(f: GroupFacts) -> Vec<GroupGap> {
    if !f.exists {
        return vec![GroupGap::NoGroup];
    }
    let mut out = Vec::new();
    if !f.has_leader {
        out.push(GroupGap::NoLeader);
    }
    if !f.has_safety_director {
        out.push(GroupGap::NoSafetyDirector);
    }
    if f.school && !f.has_legal_vice_principal {
        out.push(GroupGap::NoLegalVicePrincipal);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_signs() {
        use LetterLevel::*;
        use SignMethod::*;
        assert!(may_sign(School, Ack, Role::Principal, false).is_ok());
        assert_eq!(
            may_sign(School, Ack, Role::SafetyDirector, false),
            Err(NOT_PRINCIPAL)
        );
        assert!(may_sign(School, Scan, Role::SafetyDirector, false).is_ok());
        assert_eq!(
            may_sign(School, Scan, Role::Staff, false),
            Err(SCAN_BY_MANAGER)
        );
        assert!(may_sign(Post, Ack, Role::Guard, true).is_ok());
        assert_eq!(
            may_sign(Post, Ack, Role::Principal, false),
            Err(NOT_SIGNATORY)
        );
    }

    #[test]
    fn gaps_at_their_edges() {
        assert_eq!(gaps(GroupFacts::default()), vec![GroupGap::NoGroup]);
        let full = GroupFacts {
            exists: true,
            has_leader: true,
            has_safety_director: true,
            has_legal_vice_principal: true,
            school: true,
        };
        assert!(gaps(full).is_empty());
        let bureau = GroupFacts {
            has_legal_vice_principal: false,
            school: false,
            ..full
        };
        assert!(gaps(bureau).is_empty());
        let school = GroupFacts {
            has_legal_vice_principal: false,
            has_safety_director: false,
            ..full
        };
        assert_eq!(
            gaps(school),
            vec![GroupGap::NoSafetyDirector, GroupGap::NoLegalVicePrincipal]
        );
    }
}
