//! Roles. Three system roles (三员分立) that never see business data, and the business roles
//! of the bureau and the schools. What each may do is in [`crate::policy`].

use crate::code_enum;

code_enum!(
    Role, "role", {
        SysAdmin = "sys_admin",
        SecAdmin = "sec_admin",
        AuditAdmin = "audit_admin",
        CityOfficer = "city_officer",
        BureauLeader = "bureau_leader",
        BureauOfficer = "bureau_officer",
        BureauInspector = "bureau_inspector",
        Principal = "principal",
        SafetyDirector = "safety_director",
        Staff = "staff",
        Guard = "guard",
    }
);

impl Role {
    /// The three separated system roles: not attached to an org node, no business data.
    pub fn is_system(self) -> bool {
        matches!(self, Role::SysAdmin | Role::SecAdmin | Role::AuditAdmin)
    }

    /// The org level a user of this role is attached to.
    pub fn org_level(self) -> Option<crate::domain::org::OrgLevel> {
        use crate::domain::org::OrgLevel::*;
        match self {
            Role::SysAdmin | Role::SecAdmin | Role::AuditAdmin => None,
            Role::CityOfficer => Some(City),
            Role::BureauLeader | Role::BureauOfficer | Role::BureauInspector => Some(District),
            Role::Principal | Role::SafetyDirector | Role::Staff | Role::Guard => Some(School),
        }
    }
}
